"""Attachment files: which types are accepted (by content sniffing and extension together) and
their plain text for search.

| type | extension | recognised by |
|---|---|---|
| PDF | .pdf | starts with `%PDF-` |
| DOCX | .docx | a zip holding `word/document.xml` |
| XLSX (forms) | .xlsx | a zip holding `xl/workbook.xml` |
| ODT (forms) | .odt | a zip whose `mimetype` is `application/vnd.oasis.opendocument.text` |
| plain text | .txt, .md, .csv | valid UTF-8 without NUL bytes |

Text comes from pypdf (PDF) and from the XML parts read with zipfile + lxml (DOCX, XLSX, ODT).
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

from lxml import etree

from engine.errors import TooLarge, UnsupportedType

logger = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain; charset=utf-8"
MARKDOWN = "text/markdown; charset=utf-8"
CSV = "text/csv; charset=utf-8"

EXTENSIONS = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".odt": ODT,
    ".txt": TEXT,
    ".md": MARKDOWN,
    ".csv": CSV,
}
MAX_TEXT = 2_000_000  # characters of extracted text kept for search
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class UnsupportedDocument(UnsupportedType):
    """A file whose type is not accepted, or whose content contradicts its extension."""


class DocumentTooLarge(TooLarge):
    """A file above the attachment size limit."""


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def sniff(filename: str, data: bytes) -> Sniffed:
    """The content type of `data`, insisting that the content matches the file's extension."""
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    declared = EXTENSIONS.get(extension)
    if declared is None:
        raise UnsupportedDocument(
            f"{filename!r}: only {', '.join(sorted(EXTENSIONS))} files can be attached.",
            filename=filename,
            accepted=sorted(EXTENSIONS),
        )
    actual = _content_type(data)
    if actual is None or (actual != declared and not _both_text(actual, declared)):
        raise UnsupportedDocument(
            f"{filename!r}: the content is not a {extension} file.",
            filename=filename,
            detected=actual,
        )
    return Sniffed(declared, extension)


def _both_text(actual: str, declared: str) -> bool:
    return actual == TEXT and declared.startswith("text/")


def _content_type(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
                if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                    return ODT
        except (zipfile.BadZipFile, KeyError, OSError):
            return None
        return None
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return TEXT


def extract_text(content_type: str, data: bytes) -> str:
    """Plain text of a sniffed document for the search index ('' when it has none)."""
    try:
        if content_type == PDF:
            text = _pdf_text(data)
        elif content_type == DOCX:
            text = _zip_xml_text(data, ["word/document.xml"], "p")
        elif content_type == XLSX:
            text = _zip_xml_text(data, ["xl/sharedStrings.xml"], "si")
        elif content_type == ODT:
            text = _zip_xml_text(data, ["content.xml"], "p")
        else:
            text = data.decode("utf-8-sig")
    except Exception as exc:  # a damaged file is still stored; it is only not searchable
        logger.warning("no text from a %s attachment: %s", content_type, exc)
        return ""
    return text[:MAX_TEXT]


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join((page.extract_text() or "") for page in reader.pages)


def _zip_xml_text(data: bytes, parts: list[str], paragraph: str) -> str:
    """Text nodes of the XML parts, one line per paragraph-like element (`w:p`, `text:p`,
    `si`)."""
    lines: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in parts:
            if part not in archive.namelist():
                continue
            root = etree.fromstring(archive.read(part), _PARSER)
            for element in root.iter():
                if isinstance(element.tag, str) and etree.QName(element).localname == paragraph:
                    line = "".join(t for t in element.itertext()).strip()
                    if line:
                        lines.append(line)
    return "\n".join(lines)
