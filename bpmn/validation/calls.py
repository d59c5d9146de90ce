"""Call activities: what they call must exist, and processes must not call each other in a cycle.

Resolution looks in the document itself and in ``others`` (e.g. supporting processes already in
force). A document's own process wins over a process of the same id in ``others``, so that a new
version is checked against itself, not against the version it replaces.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence

from lxml import etree

from bpmn.errors import ERROR, WARNING, Problem
from bpmn.loading import BpmnDocument
from bpmn.namespaces import BPMN
from bpmn.validation.index import DocumentIndex
from bpmn.validation.naming import describe

_PROCESS = "{" + BPMN + "}process"
_CALL = "{" + BPMN + "}callActivity"


def called_id(el: etree._Element) -> str | None:
    """The id a call activity calls; a QName prefix (``tns:Proc``) is dropped."""
    ref = (el.get("calledElement") or "").strip()
    return ref.rpartition(":")[2] or None


def _calls_of(root: etree._Element) -> dict[str, list[etree._Element]]:
    """Process id → its call activities (at any depth of sub-processes)."""
    return {
        process.get("id", ""): list(process.iter(_CALL)) for process in root.iterchildren(_PROCESS)
    }


def _global_tasks(root: etree._Element) -> set[str]:
    prefix = "{" + BPMN + "}global"
    return {
        el.get("id", "")
        for el in root.iterchildren(etree.Element)
        if el.tag.startswith(prefix) and el.get("id")
    }


def check_calls(
    document: BpmnDocument, index: DocumentIndex, others: Sequence[BpmnDocument]
) -> Iterator[Problem]:
    """Unresolved called elements and call cycles; see the module docstring."""
    own = _calls_of(document.root)
    graph: dict[str, list[str]] = {}
    callables = set(own) | _global_tasks(document.root)
    for other in others:
        callables |= _global_tasks(other.root)
        for process_id, calls in _calls_of(other.root).items():
            if process_id not in own and process_id not in graph:
                graph[process_id] = [c for c in map(called_id, calls) if c]
                callables.add(process_id)
    for process_id, calls in own.items():
        graph[process_id] = [c for c in map(called_id, calls) if c]

    for process in index.processes:
        for call in own.get(process.get("id", ""), []):
            target = called_id(call)
            if target is None:
                yield Problem(
                    "call.called_element_missing",
                    WARNING,
                    f"{describe(call)} does not say which process it calls "
                    "(attribute calledElement is empty); it documents a step but cannot be "
                    "followed or executed",
                    call.get("id"),
                    call.sourceline,
                )
            elif target not in callables:
                yield Problem(
                    "call.unknown_process",
                    ERROR,
                    f"{describe(call)} calls process '{target}', which is neither in this file "
                    "nor among the processes in force",
                    call.get("id"),
                    call.sourceline,
                )
    yield from _check_cycles(own, graph)


def _strongly_connected(graph: dict[str, list[str]]) -> dict[str, int]:
    """Tarjan's algorithm, iterative (no recursion limit): node → component number."""
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in graph:
        if root in index_of:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in graph:
                    continue
                if succ not in index_of:
                    index_of[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(graph[succ])))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index_of[succ])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index_of[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = index_of[node]
                    if member == node:
                        break
    return component


def _path_back(
    graph: dict[str, list[str]], start: str, goal: str, comp: dict[str, int]
) -> list[str]:
    """Shortest call chain start → … → goal inside one component (for the message)."""
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            break
        for succ in graph.get(node, ()):
            if succ not in previous and comp.get(succ) == comp[start]:
                previous[succ] = node
                queue.append(succ)
    path: list[str] = []
    node: str | None = goal
    while node is not None:
        path.append(node)
        node = previous.get(node)
    return path[::-1]


def _check_cycles(
    own: dict[str, list[etree._Element]], graph: dict[str, list[str]]
) -> Iterator[Problem]:
    comp = _strongly_connected(graph)
    for caller, calls in own.items():
        for call in calls:
            callee = called_id(call)
            if callee is None or callee not in comp or comp[callee] != comp.get(caller):
                continue
            chain = [caller, *_path_back(graph, callee, caller, comp)]
            yield Problem(
                "call.cycle",
                ERROR,
                f"{describe(call)} makes processes call each other in a cycle: "
                + " → ".join(chain)
                + "; a case would never finish",
                call.get("id"),
                call.sourceline,
            )
