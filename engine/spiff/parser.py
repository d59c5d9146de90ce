"""Parsing: XML reaches SpiffWorkflow only after :func:`bpmn.loading.load_document` accepted it
(no DTD, no entities, bounded size and depth); Spiff parses the already-loaded lxml tree.
Parsed specs are cached by the hash of the bytes of the document and its supporting documents."""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser as SpiffBpmnParser
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator as SpiffBpmnValidator
from SpiffWorkflow.exceptions import SpiffWorkflowException

from bpmn.loading import load_document
from bpmn.namespaces import BPMN
from engine.nodes import (
    NodeInfo,
    check_expressions,
    check_reserved_ids,
    read_nodes,
)
from engine.spiff.errors import WorkflowError

logger = logging.getLogger(__name__)


_SPEC_CACHE_SIZE = 64


@dataclass(frozen=True, eq=False)
class ParsedSpec:
    """A parsed, runnable process: the Spiff specs and our node metadata. Shared; read-only."""

    key: str
    process_id: str
    spec: Any
    subprocess_specs: Mapping[str, Any]
    nodes: Mapping[str, NodeInfo] = field(default_factory=dict)

    def node(self, node_id: str | None) -> NodeInfo | None:
        """Metadata of a flow node by its BPMN id."""
        return self.nodes.get(node_id) if node_id else None


_cache: OrderedDict[str, ParsedSpec] = OrderedDict()
_cache_lock = Lock()
_validator: SpiffBpmnValidator | None = None


def _spiff_validator() -> SpiffBpmnValidator:
    global _validator  # loading the BPMN XSD costs ~100 ms: once per process
    if _validator is None:
        _validator = SpiffBpmnValidator()
    return _validator


def spec_key(bpmn_bytes: bytes, process_id: str | None, supporting: Sequence[bytes] = ()) -> str:
    """The cache key of a spec: a hash over the documents and the chosen process."""
    digest = hashlib.sha256()
    for part in (bpmn_bytes, *supporting):
        digest.update(hashlib.sha256(part).digest())
    digest.update((process_id or "").encode())
    return digest.hexdigest()


def parse_spec(
    bpmn_bytes: bytes, process_id: str | None = None, supporting: Sequence[bytes] = ()
) -> ParsedSpec:
    """Parse a BPMN document (plus supporting documents for call activities) into a spec.

    ``process_id`` defaults to the only executable process of the main document. Results
    are cached by content hash. Raises bpmn.errors.BpmnError for unsafe or malformed XML and
    WorkflowError when SpiffWorkflow cannot build a runnable spec.
    """
    key = spec_key(bpmn_bytes, process_id, supporting)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    parsed = _parse(key, bpmn_bytes, process_id, supporting)
    with _cache_lock:
        _cache[key] = parsed
        while len(_cache) > _SPEC_CACHE_SIZE:
            _cache.popitem(last=False)
    return parsed


def clear_spec_cache() -> None:
    """Forget every cached spec (tests, or after a calendar of specs changed)."""
    with _cache_lock:
        _cache.clear()


def _parse(
    key: str, bpmn_bytes: bytes, process_id: str | None, supporting: Sequence[bytes]
) -> ParsedSpec:
    documents = [load_document(bpmn_bytes, source="main")]
    documents += [load_document(b, source=f"supporting[{i}]") for i, b in enumerate(supporting)]
    parser = SpiffBpmnParser(validator=_spiff_validator())
    nodes: dict[str, NodeInfo] = {}
    try:
        for document in documents:
            parser.add_bpmn_xml(document.root, filename=document.label)
            nodes.update(read_nodes(document.root))
            check_reserved_ids(document.root)
            check_expressions(document.root)
        if process_id is None:
            process_id = _only_executable_process(documents[0].root)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except SpiffWorkflowException as exc:
        raise WorkflowError(
            f"the process cannot be prepared for execution: {exc}", process_id=process_id
        ) from exc
    missing = sorted(name for name, sub in subprocess_specs.items() if sub is None)
    if missing:
        raise WorkflowError(
            f"call activities refer to processes that were not supplied: {', '.join(missing)}",
            missing=missing,
        )
    logger.info("parsed process %s (%d nodes, key %s)", process_id, len(nodes), key[:12])
    return ParsedSpec(key, process_id, spec, dict(subprocess_specs), nodes)


def _only_executable_process(root: Any) -> str:
    processes = [p for p in root.iter(f"{{{BPMN}}}process") if p.get("isExecutable") != "false"]
    if len(processes) != 1:
        ids = [p.get("id") for p in processes]
        raise WorkflowError(
            f"the document has {len(processes)} executable processes ({', '.join(map(str, ids))}); "
            "say which one to run",
            processes=ids,
        )
    return processes[0].get("id")
