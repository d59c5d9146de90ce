"""Checkpoint events: the engine's own, written as instances reach and complete checkpoint
nodes, into the one append-only table regional systems' pushed events also go to.

They are queued for the fold (``engine.fold``) in the step's transaction, like pushed events:
the derived figures follow when a worker folds the queue, and a step of a case stays a few
short statements however many indicators its checkpoints feed."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from engine.case_rows import CaseRow
from engine.prepared import Prepared, column_values
from engine.spiff import NodeEvent
from engine.steps import StepCatalog
from engine.values import jsonable
from models import (
    CheckpointEvent,
    CheckpointKind,
    EventFoldQueue,
    ProcessInstance,
    Unit,
    UnitLevel,
    utcnow,
)

logger = logging.getLogger(__name__)

OWN_SOURCE = "etalon"


def case_id_of(instance: ProcessInstance | CaseRow) -> str:
    """The case id the engine reports its own instances under."""
    return f"etalon-{instance.id}"


def record_checkpoint_events(
    session: Session,
    case: CaseRow,
    events: Iterable[NodeEvent],
    *,
    steps: StepCatalog,
    data_of: Any,
    actor_login: str | None,
) -> int:
    """Append one row per checkpoint event and queue it for the fold; ``data_of(task_id)``
    gives the data the checkpoint's ``attributes`` are copied from (the task's data at that
    moment). Returns how many were written."""
    rows: list[dict[str, Any]] = []
    region_id: int | None = None
    for event in events:
        if not event.checkpoint_id:
            continue
        if not rows:
            region_id = _region_id(session, case.unit_path)
        wanted = steps.step(event.node_id).checkpoint_attributes
        data: Mapping[str, Any] = data_of(event.task_id) if wanted else {}
        rows.append(
            {
                "source": OWN_SOURCE,
                "event_id": f"{case_id_of(case)}:{event.task_id}:{event.phase}",
                "instance_id": case.id,
                "case_id": case_id_of(case),
                "standard_key": case.standard_key,
                "version_id": case.version_id,
                "checkpoint_id": event.checkpoint_id,
                "kind": CheckpointKind(event.phase),
                "node_id": event.node_id,
                "occurred_at": event.at.astimezone(dt.UTC),
                "office_id": case.unit_id,
                "region_id": region_id,
                "actor_login": actor_login,
                "attributes": {n: jsonable(data.get(n)) for n in wanted if n in data},
                "recorded_at": utcnow(),
            }
        )
    if rows:
        ids = [_INSERT_EVENT.first(session, row)[0] for row in rows]
        _QUEUE_EVENT.execute_many(session, [{"event_id": i} for i in ids])
        logger.debug("instance %s: %d checkpoint events", case.id, len(rows))
    return len(rows)


_events = CheckpointEvent.__table__.c
_EVENT_COLUMNS = (
    "source", "event_id", "instance_id", "case_id", "standard_key", "version_id",
    "checkpoint_id", "kind", "node_id", "occurred_at", "office_id", "region_id", "actor_login",
    "attributes", "recorded_at",
)  # fmt: skip
_INSERT_EVENT = Prepared(
    insert(CheckpointEvent.__table__)
    .values(column_values(CheckpointEvent.__table__, *_EVENT_COLUMNS))
    .returning(_events.id)
)
_QUEUE_EVENT = Prepared(
    insert(EventFoldQueue.__table__).values(column_values(EventFoldQueue.__table__, "event_id"))
)
_regions: dict[str, int | None] = {}  # unit path → region id; paths never change


_UNIT_LEVEL = Prepared(select(Unit.__table__.c.level).where(Unit.__table__.c.id == bindparam("id")))


def _region_id(session: Session, unit_path: str) -> int | None:
    """The region a unit belongs to (itself if it is one): the second id of its path."""
    if unit_path in _regions:
        return _regions[unit_path]
    ancestors = [int(part) for part in unit_path.strip("/").split("/")]
    level = _UNIT_LEVEL.first(session, {"id": ancestors[1]}) if len(ancestors) >= 2 else None
    found = ancestors[1] if level is not None and level[0] == UnitLevel.region else None
    if len(_regions) < 100_000:
        _regions[unit_path] = found
    return found


def instance_events(session: Session, instance: ProcessInstance) -> list[CheckpointEvent]:
    """The checkpoint events of an instance, in the order they happened."""
    return list(
        session.scalars(
            select(CheckpointEvent)
            .where(CheckpointEvent.instance_id == instance.id)
            .order_by(CheckpointEvent.occurred_at, CheckpointEvent.id)
        )
    )
