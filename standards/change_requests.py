"""Change requests: when the same indicator of a standard is red in at least K regions over the
last M complete months, the standard itself is suspect. Etalon opens a change request with the
evidence (each region's value, month by month) and assigns it to the methodologists of the
unit owning the standard. Accepting it creates a new draft version — a copy of the version in
force whose process documentation names the request — linked to it: design → execution →
analysis → correction, closed.

Settings ride on `detector_configs` rows with detector `change_request` (thresholds `regions`,
`months`, `min_cases`; recipient role, default `methodologist`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine import audit
from engine.access import Actor, in_scope, require_role, require_unit
from engine.assignments import OPEN, change_status, issue_assignments
from engine.calendar_store import working_calendar
from engine.corrective import accountable_people
from engine.detectors.base import (
    InForce,
    load_configs,
    number,
    resolve_settings,
    standards_in_force,
)
from engine.detectors.schedule import claim_run, finish_run, slot_of
from engine.errors import Conflict, NotFound
from engine.indicators import Aggregate, corridor_status, indicator_value, local_day
from engine.notifications import notify_assignments
from models import (
    Assignment,
    AssignmentStatus,
    ChangeRequest,
    ChangeRequestStatus,
    IndicatorRollup,
    Standard,
    StandardVersion,
    Unit,
    utcnow,
)
from standards.access import AUTHORS, REVIEWERS
from standards.registry import upload_version

logger = logging.getLogger(__name__)

CHANGE_REQUEST = "change_request"
DEFAULTS = {"regions": 2, "months": 2, "min_cases": 10, "statuses": ["red"], "due_working_days": 10}
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class SystemicDeviation:
    """An indicator red in at least K regions over a period, with the evidence."""

    standard: InForce
    indicator_id: str
    indicator_name: str
    evidence: dict[str, Any]
    recipient_role: str
    due_working_days: int


def _months(now: dt.datetime, count: int) -> list[dt.date]:
    """First days of the `count` complete months before the month of `now`, oldest first."""
    first = local_day(now).replace(day=1)
    months = []
    for _ in range(count):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        months.append(first)
    return sorted(months)


def systemic_deviations(
    session: Session, now: dt.datetime, standard_key: str | None = None
) -> list[SystemicDeviation]:
    """Indicators red in at least `regions` regions over the last `months` complete months."""
    configs = load_configs(session)
    found = []
    for standard in standards_in_force(session, local_day(now), standard_key):
        for definition in standard.indicators:
            if definition.direction is None or definition.red is None:
                continue
            settings = resolve_settings(
                configs,
                CHANGE_REQUEST,
                DEFAULTS,
                standard.standard_key,
                definition.id,
                default_role="methodologist",
            )
            if not settings.enabled:
                continue
            months = _months(now, int(settings.get("months")))
            rows = session.execute(
                select(IndicatorRollup, Unit)
                .join(Unit, Unit.id == IndicatorRollup.unit_id)
                .where(
                    IndicatorRollup.standard_key == standard.standard_key,
                    IndicatorRollup.indicator_id == definition.id,
                    IndicatorRollup.granularity == "month",
                    IndicatorRollup.unit_level == "region",
                    IndicatorRollup.period_start.in_(months),
                )
            ).all()
            totals: dict[int, Aggregate] = defaultdict(Aggregate)
            by_month: dict[int, dict[str, float | None]] = defaultdict(dict)
            units: dict[int, Unit] = {}
            for rollup, unit in rows:
                part = Aggregate(
                    rollup.count,
                    rollup.total,
                    rollup.total_sq,
                    rollup.within,
                    rollup.flagged,
                    rollup.employee_days,
                )
                totals[unit.id] = totals[unit.id] + part
                by_month[unit.id][rollup.period_start.isoformat()] = indicator_value(
                    definition.kind, part
                )
                units[unit.id] = unit
            regions = []
            for unit_id, aggregate in sorted(totals.items(), key=lambda kv: units[kv[0]].code):
                value = indicator_value(definition.kind, aggregate)
                status = corridor_status(
                    value, definition.direction, definition.green, definition.red
                )
                if aggregate.count >= int(settings.get("min_cases")) and status in settings.get(
                    "statuses"
                ):
                    unit = units[unit_id]
                    regions.append(
                        {
                            "code": unit.code,
                            "name": unit.name,
                            "value": value,
                            "status": status,
                            "cases": aggregate.count,
                            "months": by_month[unit_id],
                        }
                    )
            if len(regions) >= int(settings.get("regions")):
                found.append(
                    SystemicDeviation(
                        standard,
                        definition.id,
                        definition.name,
                        {
                            "indicator": definition.to_dict(),
                            "version": standard.version_number,
                            "period": {
                                "from": months[0].isoformat(),
                                "months": [m.isoformat() for m in months],
                            },
                            "regions": regions,
                            "threshold_regions": int(settings.get("regions")),
                        },
                        settings.recipient_role,
                        int(settings.get("due_working_days")),
                    )
                )
    return found


def _title(found: SystemicDeviation) -> str:
    regions = found.evidence["regions"]
    names = ", ".join(
        f"{r['name']} ({number(r['value'], found.evidence['indicator']['unit'])})" for r in regions
    )
    return (
        f"Скорректировать стандарт «{found.standard.title}»: показатель «{found.indicator_name}» "
        f"в красной зоне в {len(regions)} регионах — {names}"
    )[:500]


def open_change_requests(
    session: Session, actor: Actor, now: dt.datetime, standard_key: str | None = None
) -> list[ChangeRequest]:
    """Open a change request for every new systemic deviation (an open one is refreshed, not
    duplicated) and assign it to the methodologists of the owning unit."""
    opened = []
    for found in systemic_deviations(session, now, standard_key):
        key = f"{found.standard.standard_key}:{found.indicator_id}"
        existing = session.scalars(
            select(ChangeRequest).where(ChangeRequest.open_key == key)
        ).one_or_none()
        if existing is not None:
            existing.evidence = found.evidence
            continue
        request = ChangeRequest(
            standard_id=found.standard.standard_id,
            version_id=found.standard.version_id,
            indicator_id=found.indicator_id,
            open_key=key,
            title=_title(found),
            evidence=found.evidence,
            opened_at=now,
        )
        session.add(request)
        session.flush()
        owner = session.get(Unit, found.standard.owning_unit_id)
        unit, recipients = accountable_people(session, owner, found.recipient_role)
        issued = issue_assignments(
            session,
            actor,
            kind=CHANGE_REQUEST,
            subject_type=CHANGE_REQUEST,
            subject_id=str(request.id),
            title=request.title,
            recipients=recipients,
            due_at=working_calendar(session).add_working_days(now, found.due_working_days),
            payload={
                "change_request_id": request.id,
                "standard": found.standard.standard_key,
                "indicator": found.indicator_id,
                "evidence": found.evidence,
            },
            target_role=found.recipient_role,
            target_unit=unit,
            issuer_roles=None,
            comment="показатель в красной зоне в нескольких регионах",
        )
        notify_assignments(session, "change_request.opened", issued, change_request_id=request.id)
        audit.record(session, actor, "change_request.open", request, unit_id=owner.id, key=key)
        opened.append(request)
    return opened


def visible_change_requests(
    actor: Actor, status: ChangeRequestStatus | None = None
) -> Select[tuple[ChangeRequest]]:
    """Change requests of the standards owned in the actor's reviewing scope, newest first."""
    require_role(actor, *REVIEWERS)
    owner_path = (
        select(Unit.path)
        .join(Standard, Standard.owning_unit_id == Unit.id)
        .where(Standard.id == ChangeRequest.standard_id)
        .scalar_subquery()
    )
    query = select(ChangeRequest).order_by(ChangeRequest.id.desc())
    if not actor.is_system:
        query = query.where(in_scope(actor, owner_path, *REVIEWERS))
    if status is not None:
        query = query.where(ChangeRequest.status == status)
    return query


def get_change_request(session: Session, actor: Actor, request_id: int) -> ChangeRequest:
    request = session.get(ChangeRequest, request_id)
    require_role(actor, *REVIEWERS)
    if request is None:
        raise NotFound("Change request not found.")
    require_unit(actor, request.standard.owning_unit, *REVIEWERS, what="Change request")
    return request


def create_draft_from(
    session: Session, actor: Actor, version: StandardVersion, request: ChangeRequest
) -> StandardVersion:
    """A new draft: the bytes of `version` with one more documentation line on its process
    naming the change request, uploaded through the registry (its checks and audit)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(version.bpmn, parser)
    processes = root.findall(f"{{{BPMN_NS}}}process")
    process = next(
        (p for p in processes if p.get("id") == version.standard.process_id),
        processes[0] if processes else root,
    )
    position = sum(1 for child in process if child.tag == f"{{{BPMN_NS}}}documentation")
    note = etree.Element(f"{{{BPMN_NS}}}documentation")
    note.text = (
        f"Основание для новой редакции: запрос на изменение стандарта №{request.id}. "
        f"{request.title}"
    )
    note.tail = process[0].tail if len(process) else None
    process.insert(position, note)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    result = upload_version(
        session,
        actor,
        version.standard,
        data,
        note=f"Запрос на изменение №{request.id}: {request.title}",
    )
    return result.version


def decide_change_request(
    session: Session,
    actor: Actor,
    request_id: int,
    *,
    accept: bool,
    comment: str = "",
    now: dt.datetime,
) -> ChangeRequest:
    """A methodologist of the owning unit accepts (a linked draft is created) or rejects."""
    request = get_change_request(session, actor, request_id)
    require_unit(actor, request.standard.owning_unit, *AUTHORS, what="Change request")
    if request.status != ChangeRequestStatus.open:
        raise Conflict(f"Change request {request.id} is {request.status} already.")
    if accept:
        request.draft_version_id = create_draft_from(session, actor, request.version, request).id
        session.flush()
    request.status = ChangeRequestStatus.accepted if accept else ChangeRequestStatus.rejected
    request.decided_at, request.decided_by = now, actor.login
    request.decision_comment = comment
    request.open_key = None
    verdict = "принят" if accept else "отклонён"
    for assignment in _open_assignments(session, request):
        change_status(
            session,
            Actor.system(actor.login),
            assignment,
            AssignmentStatus.done,
            comment=f"запрос {verdict}: {actor.login}",
        )
    audit.record(
        session,
        actor,
        f"change_request.{'accept' if accept else 'reject'}",
        request,
        unit_id=request.standard.owning_unit_id,
        draft=request.draft_version_id,
    )
    return request


def _open_assignments(session: Session, request: ChangeRequest) -> Sequence[Assignment]:
    return session.scalars(
        select(Assignment).where(
            Assignment.kind == CHANGE_REQUEST,
            Assignment.subject_id == str(request.id),
            Assignment.status.in_(OPEN),
        )
    ).all()


CHECK_SCHEDULE = "daily 07:30"


def run_change_request_check(
    session_factory: Callable[[], Session], worker_name: str, now: dt.datetime | None = None
) -> int:
    """The worker's daily check for systemic deviations (claimed once per day)."""
    now = now or utcnow()
    with session_factory() as session:
        run_id = claim_run(session, CHANGE_REQUEST, "*", slot_of(CHECK_SCHEDULE, now), worker_name)
        session.commit()
        if run_id is None:
            return 0
        opened = open_change_requests(session, Actor.system(f"worker:{worker_name}"[:100]), now)
        finish_run(session, run_id, len(opened))
        session.commit()
        return len(opened)
