"""Safe loading of BPMN 2.0 XML.

BPMN files come from outside (other modellers, regions, e-mail), so loading treats them as
hostile: no DTDs, no entities, no network, bounded size, depth and element count. Anything
that declares entities or points at an external DTD is refused *before* lxml sees it, so
billion-laughs and XXE payloads cost a prolog scan, not a parse.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from dataclasses import dataclass
from functools import cached_property

from lxml import etree

from bpmn.errors import ERROR, BpmnError, Problem
from bpmn.namespaces import BPMN, localname, q

logger = logging.getLogger(__name__)

DEFINITIONS = q(BPMN, "definitions")


@dataclass(frozen=True)
class Limits:
    """Upper bounds a document must respect to be loaded at all."""

    max_bytes: int = 16 * 1024 * 1024
    max_depth: int = 200
    max_elements: int = 500_000


@dataclass(frozen=True, eq=False)
class BpmnDocument:
    """A parsed, safe BPMN document: the ``bpmn:definitions`` root and where it came from."""

    root: etree._Element
    source: str | None
    sha256: str

    @cached_property
    def _index(self) -> dict[str, etree._Element]:
        index: dict[str, etree._Element] = {}
        for el in self.root.iter():
            element_id = el.get("id")
            # The first occurrence wins: duplicate ids are a validation matter, not ours.
            if element_id is not None and element_id not in index:
                index[element_id] = el
        return index

    def element(self, element_id: str) -> etree._Element | None:
        """Return the element with attribute ``id == element_id`` or None."""
        return self._index.get(element_id)

    def line(self, element: etree._Element) -> int | None:
        """Return the source line of ``element`` (1-based) or None if unknown."""
        return element.sourceline

    @property
    def label(self) -> str:
        """A name for messages: the source, or a short hash when there is none."""
        return self.source or f"document {self.sha256[:12]}"


def _refuse(code: str, message: str, source: str | None, line: int | None = None) -> BpmnError:
    where = f"{source}: " if source else ""
    problem = Problem(code=code, severity=ERROR, message=message, line=line)
    return BpmnError(f"{where}cannot load BPMN document", [problem])


def _prolog_text(data: bytes) -> str:
    """Decode enough of the document to scan its prolog.

    Every encoding we accept except UTF-16/32 is ASCII-compatible, so Latin-1 decoding
    keeps the markup characters where they are whatever the declared encoding is.
    """
    head = data[: 1024 * 1024]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.decode("latin-1")


def _skip_markup(text: str, pos: int, end: str) -> int:
    found = text.find(end, pos)
    return len(text) if found < 0 else found + len(end)


def _doctype_end(text: str, pos: int) -> int:
    """Return the index just after the DOCTYPE starting at ``pos``, honouring quotes and [ ]."""
    depth = 0
    quote = ""
    i = pos
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == ">" and depth <= 0:
            return i + 1
        i += 1
    return len(text)


def _check_prolog(data: bytes, source: str | None) -> None:
    """Refuse entity declarations and external DTDs found before the root element."""
    text = _prolog_text(data)
    pos = 1 if text.startswith("\ufeff") else 0
    while pos < len(text):
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if text.startswith("<?", pos):
            pos = _skip_markup(text, pos, "?>")
        elif text.startswith("<!--", pos):
            pos = _skip_markup(text, pos + 4, "-->")
        elif text.startswith("<!DOCTYPE", pos):
            end = _doctype_end(text, pos)
            _check_doctype(text, pos, end, source)
            pos = end
        else:
            return


def _check_doctype(text: str, start: int, end: int, source: str | None) -> None:
    doctype = text[start:end]
    entity = doctype.find("<!ENTITY")
    if entity >= 0:
        line = text.count("\n", 0, start + entity) + 1
        raise _refuse(
            "xml.entity",
            "the document declares XML entities (<!ENTITY ...>); entities are refused because "
            "they are used for entity-expansion ('billion laughs') and external-file (XXE) "
            "attacks and BPMN never needs them",
            source,
            line,
        )
    subset = doctype.find("[")
    header = doctype if subset < 0 else doctype[:subset]
    if " SYSTEM" in header or " PUBLIC" in header or "\nSYSTEM" in header:
        line = text.count("\n", 0, start) + 1
        raise _refuse(
            "xml.external_dtd",
            "the document refers to an external DTD (<!DOCTYPE ... SYSTEM/PUBLIC ...>); "
            "external files and network addresses are never fetched",
            source,
            line,
        )


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not thread-safe and keep error logs.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _parse(data: bytes, limits: Limits, source: str | None) -> etree._Element:
    """Parse with every dangerous feature off, then enforce depth and element limits.

    libxml2 without ``huge_tree`` already stops at 256 levels, so parsing itself is bounded;
    the walk below applies our stricter limits in one linear pass.
    """
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_problem(exc, limits, source) from None
    if root is None:
        raise _refuse("xml.syntax", "the document contains no XML element", source)
    # Both checks run inside libxml2 (XPath), each linear in the size of the tree.
    too_deep = _deeper_than(limits.max_depth)(root)
    if too_deep:
        el = too_deep[0]
        raise _refuse(
            "xml.too_deep",
            f"elements are nested more than {limits.max_depth} levels deep (at <{localname(el)}>)",
            source,
            el.sourceline,
        )
    if _COUNT_ELEMENTS(root) > limits.max_elements:
        el = root.xpath(f"(//*)[{limits.max_elements + 1}]")[0]
        raise _refuse(
            "xml.too_large",
            f"the document has more than {limits.max_elements} elements",
            source,
            el.sourceline,
        )
    return root


_COUNT_ELEMENTS = etree.XPath("count(//*)")


@functools.lru_cache(maxsize=8)
def _deeper_than(max_depth: int) -> etree.XPath:
    """Elements at depth max_depth + 1 (the root is at depth 1): `/*/*/…/*`."""
    return etree.XPath("/" + "/".join(["*"] * (max_depth + 1)))


def _syntax_problem(exc: etree.XMLSyntaxError, limits: Limits, source: str | None) -> BpmnError:
    line = exc.lineno or (exc.position[0] if exc.position else None)
    text = (exc.msg or str(exc)).strip()
    if "depth" in text.lower():
        # libxml2's own guard (256 levels) when max_depth is configured above it.
        return _refuse(
            "xml.too_deep",
            f"elements are nested more than {limits.max_depth} levels deep",
            source,
            line,
        )
    if "entity" in text.lower():
        return _refuse("xml.entity", f"entity reference refused: {text}", source, line)
    return _refuse("xml.syntax", f"the file is not well-formed XML: {text}", source, line)


def _check_no_entities(root: etree._Element, source: str | None) -> None:
    """Second line of defence: no DTD entities and no unexpanded entity nodes survive."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None:
        for entity in dtd.iterentities():
            raise _refuse(
                "xml.entity",
                f"the document declares the XML entity '{entity.name}'; entities are refused",
                source,
            )
    for node in root.iter(etree.Entity):
        raise _refuse(
            "xml.entity",
            f"entity reference &{node.name}; is refused",
            source,
            node.sourceline,
        )


def load_document(
    data: bytes, *, source: str | None = None, limits: Limits = Limits()
) -> BpmnDocument:
    """Parse ``data`` as a BPMN 2.0 document, safely.

    Raises BpmnError (codes ``xml.too_large``, ``xml.entity``, ``xml.external_dtd``,
    ``xml.syntax``, ``xml.too_deep``, ``xml.not_bpmn``) when it cannot be loaded.
    """
    if len(data) > limits.max_bytes:
        raise _refuse(
            "xml.too_large",
            f"the file is {len(data)} bytes, more than the limit of {limits.max_bytes} bytes",
            source,
        )
    if not data.strip():
        raise _refuse("xml.syntax", "the file is empty", source)
    _check_prolog(data, source)
    root = _parse(data, limits, source)
    _check_no_entities(root, source)
    if root.tag != DEFINITIONS:
        raise _refuse(
            "xml.not_bpmn",
            f"the root element is <{root.tag}>, not BPMN 2.0 <definitions> in namespace {BPMN}",
            source,
            root.sourceline,
        )
    digest = hashlib.sha256(data).hexdigest()
    logger.debug("loaded BPMN document %s (%d bytes, sha256 %s)", source, len(data), digest)
    return BpmnDocument(root=root, source=source, sha256=digest)


def load_file(path: str | os.PathLike, *, limits: Limits = Limits()) -> BpmnDocument:
    """Read and safely parse the BPMN file at ``path``; see :func:`load_document`."""
    source = os.fspath(path)
    try:
        size = os.path.getsize(source)
        if size > limits.max_bytes:
            raise _refuse(
                "xml.too_large",
                f"the file is {size} bytes, more than the limit of {limits.max_bytes} bytes",
                source,
            )
        with open(source, "rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise _refuse("file.unreadable", f"cannot read the file: {exc.strerror}", source) from exc
    return load_document(data, source=source, limits=limits)
