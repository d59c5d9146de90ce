"""The process-wide dependency graph, kept in step with the registry.

Built lazily on first use from the versions in force, then updated incrementally: every
publication or withdrawal appends a `GraphChange` row (in the publishing transaction), and a
reader applies the rows its process has not seen yet — its own publications and those made by
other workers alike — by replacing the subgraph of each changed standard. The graph is rebuilt
only when the log went backwards (a rolled-back publication this process had applied), when
the process is too far behind, or on a new day (versions with a future effective date come
into force by the calendar, not by a publication).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bpmn.extract import extract
from engine.access import Actor, require_role
from engine.errors import NotFound
from models import GraphChange, Role, Standard, StandardVersion, Unit, UnitLevel
from standards.graph import DependencyGraph, Region
from standards.graph_facts import VersionFacts, facts_of
from standards.registry import load_version_document, version_in_force

logger = logging.getLogger(__name__)

#: further behind than this many changes, a rebuild is cheaper than replaying them
MAX_BEHIND = 200
#: ids may commit out of order on PostgreSQL: look this far back for rows committed late
LOOKBACK = 100
_FACTS_CACHE_SIZE = 20_000


@dataclass
class _Cache:
    graph: DependencyGraph
    built_on: dt.date
    last: tuple[int, str] | None = None  # (id, token) of the newest applied change
    applied: set[int] = field(default_factory=set)
    rebuilds: int = 0


_caches: dict[str, _Cache] = {}
_facts: dict[tuple[str, int, str, str], VersionFacts] = {}
_lock = threading.RLock()


def regions_running(session: Session, standard: Standard) -> list[Unit]:
    """Regions running `standard`. Until adoption data exists every region runs the version in
    force; this is the one place to point at adoption records."""
    return list(
        session.scalars(select(Unit).where(Unit.level == UnitLevel.region).order_by(Unit.code))
    )


def version_facts(session: Session, version: StandardVersion) -> VersionFacts:
    """The graph facts of a version (parsed once per process: versions past draft never
    change, drafts are keyed by their content hash)."""
    standard = version.standard
    key = (standard.key, version.number, version.sha256, standard.title)
    facts = _facts.get(key)
    if facts is None:
        definitions = extract(load_version_document(session, version))
        facts = facts_of(standard.key, standard.title, version.number, definitions)
        if len(_facts) >= _FACTS_CACHE_SIZE:
            _facts.clear()
        _facts[key] = facts
    return facts


def _database_key(session: Session) -> str:
    bind = session.get_bind()
    return str(getattr(bind, "engine", bind).url)


def _refresh_standard(session: Session, graph: DependencyGraph, standard: Standard) -> None:
    version = version_in_force(session, standard)
    if version is None:
        graph.remove_standard(standard.key)
        return
    regions = [Region(u.code, u.name) for u in regions_running(session, standard)]
    graph.set_version(version_facts(session, version), regions)


def _rebuild(session: Session, key: str, previous: _Cache | None) -> _Cache:
    graph = DependencyGraph()
    for standard in session.scalars(select(Standard).order_by(Standard.key)):
        _refresh_standard(session, graph, standard)
    newest = session.execute(
        select(GraphChange.id, GraphChange.token).order_by(GraphChange.id.desc()).limit(1)
    ).first()
    cache = _Cache(graph, dt.date.today(), tuple(newest) if newest else None)
    if newest:
        cache.applied = set(
            session.scalars(select(GraphChange.id).where(GraphChange.id > newest[0] - LOOKBACK))
        )
    cache.rebuilds = (previous.rebuilds + 1) if previous else 1
    _caches[key] = cache
    logger.info("dependency graph rebuilt for %s: %s", key.split("@")[-1], graph.stats())
    return cache


def current_graph(session: Session) -> DependencyGraph:
    """The graph as of this session's view of the registry (see the module docstring)."""
    key = _database_key(session)
    with _lock:
        cache = _caches.get(key)
        if cache is None or cache.built_on != dt.date.today():
            return _rebuild(session, key, cache).graph
        if cache.last is not None:
            token = session.scalar(select(GraphChange.token).where(GraphChange.id == cache.last[0]))
            if token != cache.last[1]:
                return _rebuild(session, key, cache).graph
        floor = (cache.last[0] - LOOKBACK) if cache.last else 0
        rows = [
            row
            for row in session.execute(
                select(GraphChange.id, GraphChange.token, GraphChange.standard_id)
                .where(GraphChange.id > floor)
                .order_by(GraphChange.id)
            )
            if row.id not in cache.applied
        ]
        if len(rows) > MAX_BEHIND:
            return _rebuild(session, key, cache).graph
        for standard_id in dict.fromkeys(row.standard_id for row in rows):
            standard = session.get(Standard, standard_id)
            if standard is not None:
                _refresh_standard(session, cache.graph, standard)
        for row in rows:
            cache.applied.add(row.id)
            if cache.last is None or row.id > cache.last[0]:
                cache.last = (row.id, row.token)
        if rows:
            logger.debug("dependency graph: applied %d change(s)", len(rows))
        return cache.graph


def read_graph(session: Session, actor: Actor, node: str | None = None) -> DependencyGraph:
    """The graph for a reader: it holds published material only, which every authenticated
    actor may read; NotFound when `node` is given and not in the graph."""
    require_role(actor, *Role)
    graph = current_graph(session)
    if node is not None and node not in graph.graph:
        raise NotFound(f"No node {node!r} in the dependency graph.", node=node)
    return graph


def record_changes(
    session: Session, versions: Sequence[StandardVersion], kind: str
) -> DependencyGraph:
    """Log that the versions in force of these versions' standards changed, and bring this
    process's graph up to date (other processes catch up on their next read)."""
    for version in versions:
        session.add(
            GraphChange(
                token=str(uuid.uuid4()),
                standard_id=version.standard_id,
                version_id=version.id,
                kind=kind,
            )
        )
    session.flush()
    return current_graph(session)


def cache_info(session: Session) -> dict[str, object]:
    """How this process's graph stands (for the CLI and tests)."""
    cache = _caches.get(_database_key(session))
    if cache is None:
        return {"built": False}
    return {
        "built": True,
        "built_on": cache.built_on.isoformat(),
        "last_change": cache.last[0] if cache.last else None,
        "rebuilds": cache.rebuilds,
        **cache.graph.stats(),
    }


def forget_graphs() -> None:
    """Drop every cached graph (tests, and `etalon graph rebuild`)."""
    with _lock:
        _caches.clear()
