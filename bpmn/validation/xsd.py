"""XML Schema validation of BPMN documents against the BPMN 2.0 XSD (and Etalon's own XSD).

The BPMN 2.0 schema files are the ones shipped inside the installed SpiffWorkflow package, so
that what we check is what the engine was written against. They are located on disk without
importing SpiffWorkflow (``bpmn/`` stays pure) and compiled once per process. Imports between
schema files are resolved only from local files; nothing is ever fetched from the network.

Severity policy. The XSD describes *interchange*, and real modellers' exporters deviate from it
in ways that do not change what the diagram means (Bizagi writes ``bpmn:LoopCounter``, Signavio
writes ``calledElement=""`` or ``outMessageRef`` in the wrong place). Refusing such files would
refuse most of the world's BPMN, so BPMN-namespace violations are warnings (``xsd.invalid``).
Whatever *does* change the meaning -- duplicate ids, dangling references, missing flow ends --
is checked by dedicated semantic rules that report errors with a precise message; the XSD
messages that merely repeat those findings are dropped here. Violations inside Etalon's own
namespace are errors (``etalon.schema``): that metadata is ours, and broken metadata breaks
measurement.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from bpmn.errors import ERROR, WARNING, Problem
from bpmn.loading import BpmnDocument
from bpmn.namespaces import BPMN, ETALON, localname
from bpmn.validation.naming import describe

logger = logging.getLogger(__name__)

ETALON_XSD = Path(__file__).resolve().parent.parent / "schema" / "etalon.xsd"

# libxml2 messages that only restate what the semantic rules report with better words.
_COVERED = (
    re.compile(r"is not a valid value of the atomic type 'xs:ID'"),
    re.compile(r"attribute '(sourceRef|targetRef)': .*'xs:IDREF'"),
    re.compile(r"sequenceFlow': The attribute '(sourceRef|targetRef)' is required"),
    re.compile(r"attribute 'calledElement'"),
)
_ELEMENT_IN_MESSAGE = re.compile(r"^Element '(\{[^}]*\})?([^']+)'")


def _spiff_schema_dir() -> Path | None:
    """Where SpiffWorkflow keeps BPMN20.xsd, found without importing SpiffWorkflow."""
    try:
        spec = importlib.util.find_spec("SpiffWorkflow")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "bpmn" / "parser" / "schema"
        if (candidate / "BPMN20.xsd").is_file():
            return candidate
    return None


class _LocalSchemaResolver(etree.Resolver):
    """Serve schema imports from the allowed directories only; refuse everything else."""

    def __init__(self, allowed: tuple[Path, ...]) -> None:
        super().__init__()
        self._allowed = allowed

    def resolve(self, url, pubid, context):  # type: ignore[no-untyped-def]
        name = url.removeprefix("file://")
        path = Path(name)
        candidates = [path] if path.is_absolute() else [d / path.name for d in self._allowed]
        for candidate in candidates:
            resolved = candidate.resolve()
            if any(resolved.parent == d for d in self._allowed) and resolved.is_file():
                return self.resolve_filename(str(resolved), context)
        logger.warning("refusing to load schema resource %s", url)
        return self.resolve_string("", context)


@lru_cache(maxsize=1)
def bpmn_schema() -> etree.XMLSchema | None:
    """Return the compiled BPMN 2.0 (+ Etalon, when present) schema, or None if unavailable.

    Compiled once per process: building the schema takes ~100 ms, validating is fast.
    """
    spiff_dir = _spiff_schema_dir()
    if spiff_dir is None:
        logger.warning("BPMN 2.0 XSD not found in the SpiffWorkflow package; XSD check skipped")
        return None
    allowed = [spiff_dir.resolve()]
    imports = [(BPMN, spiff_dir / "BPMN20.xsd")]
    if ETALON_XSD.is_file():
        allowed.append(ETALON_XSD.parent.resolve())
        imports.append((ETALON, ETALON_XSD))
    # A schema with no target namespace whose only content is the imports: lax wildcards in
    # bpmn:extensionElements then validate etalon:* elements against etalon.xsd.
    wrapper = (
        '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        + "".join(
            f'<xsd:import namespace="{ns}" schemaLocation="{path.resolve().as_uri()}"/>'
            for ns, path in imports
        )
        + "</xsd:schema>"
    )
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_LocalSchemaResolver(tuple(allowed)))
    try:
        schema = etree.XMLSchema(etree.fromstring(wrapper.encode(), parser))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        logger.error("cannot compile the BPMN schema: %s", exc)
        return None
    logger.info("compiled BPMN schema from %s", ", ".join(str(p) for _, p in imports))
    return schema


class _Locator:
    """Finds the element an XSD message is about: by libxml2's path, else by line and name."""

    def __init__(self, document: BpmnDocument) -> None:
        self._tree = document.root.getroottree()
        self._namespaces = {k: v for k, v in document.root.nsmap.items() if k}
        self._by_line: dict[int, list[etree._Element]] | None = None

    def find(self, entry: etree._LogEntry) -> etree._Element | None:
        match = _ELEMENT_IN_MESSAGE.match(entry.message or "")
        name = match.group(2) if match else None
        try:
            candidates = self._tree.xpath(entry.path, namespaces=self._namespaces)
        except (etree.XPathError, TypeError):
            candidates = []
        if not isinstance(candidates, list) or not candidates:
            candidates = self._on_line(entry.line)
        for el in candidates:
            if (
                isinstance(el, etree._Element)
                and (name is None or localname(el) == name)
                and (el.sourceline == entry.line or len(candidates) == 1)
            ):
                return el
        return None

    def _on_line(self, line: int) -> list[etree._Element]:
        if self._by_line is None:  # built once, only for documents whose paths do not resolve
            self._by_line = {}
            for el in self._tree.getroot().iter(etree.Element):
                self._by_line.setdefault(el.sourceline or 0, []).append(el)
        return self._by_line.get(line, [])


def _bpmn_owner(el: etree._Element | None) -> etree._Element | None:
    """The nearest BPMN element with an id at or above ``el`` (Etalon elements carry none)."""
    while el is not None:
        if el.get("id") is not None and el.tag.startswith("{" + BPMN + "}"):
            return el
        el = el.getparent()
    return None


def _human(message: str) -> str:
    """Shorten libxml2's Clark-notation names to prefixed ones a methodologist can read."""
    message = message.replace("{" + BPMN + "}", "bpmn:").replace("{" + ETALON + "}", "etalon:")
    return re.sub(r"\{[^}]*\}", "", message).strip().rstrip(".")


def check_schema(document: BpmnDocument) -> list[Problem]:
    """Validate ``document`` against the BPMN 2.0 XSD (and etalon.xsd); see module docstring."""
    schema = bpmn_schema()
    if schema is None:
        return [
            Problem(
                "xsd.unavailable",
                WARNING,
                "the BPMN 2.0 XML schema is not available on this server; "
                "the file was checked without it",
            )
        ]
    if schema.validate(document.root.getroottree()):
        return []
    problems: list[Problem] = []
    locator = _Locator(document)
    for entry in schema.error_log:
        text = entry.message or ""
        if any(p.search(text) for p in _COVERED):
            continue
        el = locator.find(entry)
        in_etalon = f"{{{ETALON}}}" in text or (
            el is not None and el.tag.startswith(f"{{{ETALON}}}")
        )
        owner = _bpmn_owner(el)
        element_id = owner.get("id") if owner is not None else None
        where = f" (in {describe(owner)})" if owner is not None else ""
        if in_etalon:
            problems.append(
                Problem(
                    "etalon.schema",
                    ERROR,
                    f"Etalon metadata does not follow etalon.xsd: {_human(text)}{where}",
                    element_id,
                    entry.line,
                )
            )
        else:
            problems.append(
                Problem(
                    "xsd.invalid",
                    WARNING,
                    f"the file deviates from the BPMN 2.0 schema: {_human(text)}{where}",
                    element_id,
                    entry.line,
                )
            )
    return problems
