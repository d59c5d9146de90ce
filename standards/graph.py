"""The dependency graph of the registry: standards and their versions in force, processes,
operations, roles, documents, checkpoints, indicators and regions, in one networkx
MultiDiGraph.

Edges (source → target, attribute ``relation``):
``has_version`` standard → version, ``defines`` version → process, ``contains`` process →
operation, ``calls`` operation → process and process → process (call activities), ``supports``
supporting process → main process, ``performs`` role → operation, ``uses`` operation →
document, ``marks`` operation → checkpoint, ``has_indicator`` process → indicator,
``measures`` indicator → checkpoint, ``adopts`` region → version.

Every node and edge a version brings is recorded under that version, so replacing the version
in force of one standard removes exactly its subgraph and adds the new one: the cost of an
update is the size of one version, not of the registry. Shared nodes (processes, roles,
documents, regions) stay while anything still refers to them.

Pure: no database (``standards.graph_store`` keeps one per process, in step with the registry).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from standards.graph_facts import VersionFacts

logger = logging.getLogger(__name__)

SHARED_KINDS = frozenset({"standard", "process", "role", "document", "region"})


def process_node(process_id: str) -> str:
    return f"process:{process_id}"


def operation_node(process_id: str, node_id: str) -> str:
    return f"operation:{process_id}/{node_id}"


def checkpoint_node(process_id: str, checkpoint_id: str) -> str:
    return f"checkpoint:{process_id}/{checkpoint_id}"


def indicator_node(process_id: str, indicator_id: str) -> str:
    return f"indicator:{process_id}/{indicator_id}"


def role_node(code: str) -> str:
    return f"role:{code}"


def region_node(code: str) -> str:
    return f"region:{code}"


def standard_node(key: str) -> str:
    return f"standard:{key}"


@dataclass(frozen=True)
class Region:
    """A region running a version (code and name, for the report)."""

    code: str
    name: str


@dataclass
class _Owned:
    nodes: list[str] = field(default_factory=list)
    edges: list[tuple[str, str, int]] = field(default_factory=list)
    shared: set[str] = field(default_factory=set)


class DependencyGraph:
    """The registry's dependency graph with per-version incremental updates."""

    def __init__(self) -> None:
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self._owned: dict[str, _Owned] = {}
        self._in_force: dict[str, VersionFacts] = {}

    # --- updates ---------------------------------------------------------------------------

    def set_version(self, facts: VersionFacts, regions: Iterable[Region] = ()) -> None:
        """Make `facts` the version in force of its standard (replacing the previous one)."""
        self.remove_standard(facts.standard_key)
        self._add(facts, regions)

    def remove_standard(self, key: str) -> None:
        """Drop the subgraph of the standard's version in force (withdrawn, or replaced)."""
        facts = self._in_force.pop(key, None)
        if facts is None:
            return
        owned = self._owned.pop(facts.version_node)
        graph = self.graph
        for u, v, k in owned.edges:
            if graph.has_edge(u, v, k):
                graph.remove_edge(u, v, k)
        graph.remove_nodes_from(owned.nodes)
        for node in owned.shared:
            data = graph.nodes.get(node)
            if data is None:
                continue
            definers = data.get("defined_by")
            if definers is not None:
                definers.discard(facts.version_node)
            if graph.degree(node) == 0 and not definers:
                graph.remove_node(node)

    def _add(self, facts: VersionFacts, regions: Iterable[Region]) -> None:
        graph = self.graph
        owner = facts.version_node
        owned = self._owned[owner] = _Owned()
        self._in_force[facts.standard_key] = facts

        def node(node_id: str, kind: str, label: str | None, **attrs: Any) -> str:
            if kind in SHARED_KINDS:
                if node_id not in graph:
                    graph.add_node(node_id, kind=kind, label=label, **attrs)
                else:
                    data = graph.nodes[node_id]
                    if label:
                        data["label"] = label
                    data.update({k: v for k, v in attrs.items() if v is not None})
                owned.shared.add(node_id)
            else:
                graph.add_node(node_id, kind=kind, label=label, owner=owner, **attrs)
                owned.nodes.append(node_id)
            return node_id

        def edge(u: str, v: str, relation: str) -> None:
            owned.edges.append((u, v, graph.add_edge(u, v, relation=relation)))

        standard = node(standard_node(facts.standard_key), "standard", facts.standard_title)
        version = node(
            owner, "version", facts.label, standard=facts.standard_key, number=facts.number
        )
        edge(standard, version, "has_version")
        for process in facts.processes:
            p = node(process_node(process.id), "process", process.name, category=process.category)
            graph.nodes[p].setdefault("defined_by", set()).add(owner)
            graph.nodes[p]["standard"] = facts.standard_key
            edge(version, p, "defines")
            for main in process.supports:
                edge(p, node(process_node(main), "process", None), "supports")
        for op in facts.nodes:
            o = node(
                operation_node(op.process_id, op.id),
                "operation",
                op.name,
                element_id=op.id,
                type=op.type,
                process=op.process_id,
                deadline=op.deadline,
                role=op.role,
            )
            edge(process_node(op.process_id), o, "contains")
            if op.role and op.is_operation:
                edge(node(role_node(op.role), "role", op.role_name), o, "performs")
            for document in op.documents:
                edge(o, node(document.node, "document", document.title, code=document.code), "uses")
            for cp in op.checkpoints:
                edge(o, checkpoint_node(op.process_id, cp), "marks")
            if op.called_process:
                called = node(process_node(op.called_process), "process", None)
                edge(o, called, "calls")
                edge(process_node(op.process_id), called, "calls")
        for cp in facts.checkpoints:
            node(checkpoint_node(cp.process_id, cp.id), "checkpoint", cp.name, element_id=cp.id)
        for indicator in facts.indicators:
            i = node(
                indicator_node(indicator.process_id, indicator.id),
                "indicator",
                indicator.name,
                element_id=indicator.id,
            )
            edge(process_node(indicator.process_id), i, "has_indicator")
            for cp in indicator.checkpoints:
                target = checkpoint_node(indicator.process_id, cp)
                if target in graph:
                    edge(i, target, "measures")
        for region in regions:
            edge(node(region_node(region.code), "region", region.name), version, "adopts")

    # --- reading ---------------------------------------------------------------------------

    def in_force(self, key: str) -> VersionFacts | None:
        """Facts of the standard's version the graph holds as in force."""
        return self._in_force.get(key)

    @property
    def standards(self) -> list[str]:
        return sorted(self._in_force)

    def label(self, node: str) -> str:
        data = self.graph.nodes.get(node) or {}
        return data.get("label") or node.split(":", 1)[-1]

    def predecessors(self, node: str, relation: str) -> list[str]:
        """Sources of `relation` edges into `node`."""
        if node not in self.graph:
            return []
        return list(
            dict.fromkeys(
                u for u, _, d in self.graph.in_edges(node, data=True) if d["relation"] == relation
            )
        )

    def successors(self, node: str, relation: str) -> list[str]:
        """Targets of `relation` edges out of `node`."""
        if node not in self.graph:
            return []
        return list(
            dict.fromkeys(
                v for _, v, d in self.graph.out_edges(node, data=True) if d["relation"] == relation
            )
        )

    def describe(self, node: str) -> dict[str, Any]:
        """A node as JSON: id, kind, label and the standard it belongs to."""
        data = self.graph.nodes.get(node) or {}
        return {
            "id": node,
            "kind": data.get("kind") or node.split(":", 1)[0],
            "label": self.label(node),
            "standard": self.standard_of(node),
        }

    def standard_of(self, node: str) -> str | None:
        """The key of the standard whose version in force holds `node`."""
        data = self.graph.nodes.get(node) or {}
        if data.get("kind") == "process":
            return data.get("standard")
        owner = data.get("owner")
        if owner:
            return self.graph.nodes[owner].get("standard")
        return data.get("standard")

    def callers(self, process_id: str) -> list[tuple[str, tuple[str, ...]]]:
        """Processes calling `process_id` directly or through others, nearest first, each with
        the chain of processes from it down to `process_id`."""
        start = process_node(process_id)
        seen = {start}
        queue: deque[tuple[str, tuple[str, ...]]] = deque([(start, (start,))])
        found: list[tuple[str, tuple[str, ...]]] = []
        while queue:
            current, path = queue.popleft()
            for caller in self.predecessors(current, "calls"):
                if caller in seen or self.graph.nodes[caller].get("kind") != "process":
                    continue
                seen.add(caller)
                chain = (caller, *path)
                found.append((caller, chain))
                queue.append((caller, chain))
        return found

    def regions_running(self, key: str) -> list[str]:
        """Region nodes adopting the standard's version in force."""
        facts = self._in_force.get(key)
        return self.predecessors(facts.version_node, "adopts") if facts else []

    def where_used(self, node: str) -> dict[str, list[str]]:
        """Everything pointing at `node`, grouped by relation (e.g. operations using a
        document, processes and operations calling a process, regions adopting a version)."""
        if node not in self.graph:
            return {}
        result: dict[str, list[str]] = {}
        for u, _, data in self.graph.in_edges(node, data=True):
            bucket = result.setdefault(data["relation"], [])
            if u not in bucket:
                bucket.append(u)
        return {relation: sorted(nodes) for relation, nodes in sorted(result.items())}

    def role_dependencies(self, code: str) -> dict[str, list[str]]:
        """What a role's work depends on: its operations, their processes and standards, the
        documents they use, the checkpoints they mark and the indicators measuring those."""
        operations = self.successors(role_node(code), "performs")
        processes: dict[str, None] = {}
        documents: dict[str, None] = {}
        checkpoints: dict[str, None] = {}
        indicators: dict[str, None] = {}
        for op in operations:
            processes.update(dict.fromkeys(self.predecessors(op, "contains")))
            documents.update(dict.fromkeys(self.successors(op, "uses")))
            for cp in self.successors(op, "marks"):
                checkpoints[cp] = None
                indicators.update(dict.fromkeys(self.predecessors(cp, "measures")))
        standards = {self.standard_of(p) for p in processes} - {None}
        return {
            "operations": sorted(operations),
            "processes": sorted(processes),
            "standards": sorted(standard_node(s) for s in standards if s),
            "documents": sorted(documents),
            "checkpoints": sorted(checkpoints),
            "indicators": sorted(indicators),
        }

    def neighbourhood(self, node: str, radius: int = 1) -> nx.MultiDiGraph:
        """The subgraph within `radius` edges of `node`, either direction."""
        if node not in self.graph:
            return nx.MultiDiGraph()
        undirected = self.graph.to_undirected(as_view=True)
        nodes = nx.single_source_shortest_path_length(undirected, node, cutoff=radius)
        return self.graph.subgraph(nodes)

    def node_link(self, node: str | None = None, radius: int = 1) -> dict[str, Any]:
        """Node-link JSON of the whole graph, or of `node`'s neighbourhood."""
        graph = self.graph if node is None else self.neighbourhood(node, radius)
        data = nx.node_link_data(graph, edges="edges")
        for item in data["nodes"]:
            for name, value in list(item.items()):
                if isinstance(value, set):
                    item[name] = sorted(value)
        return data

    def stats(self) -> dict[str, int]:
        return {
            "standards": len(self._in_force),
            "nodes": self.graph.number_of_nodes(),
            "edges": self.graph.number_of_edges(),
        }


def build_graph(versions: Iterable[tuple[VersionFacts, Iterable[Region]]]) -> DependencyGraph:
    """A graph of the given versions in force, from scratch."""
    result = DependencyGraph()
    for facts, regions in versions:
        result.set_version(facts, regions)
    logger.info("dependency graph built: %s", result.stats())
    return result
