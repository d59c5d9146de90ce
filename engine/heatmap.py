"""Heatmap of a standard's diagram: every checkpoint node coloured by its average stage
duration (against the node's normative deadline) or by its deadline-breach rate, with a badge
and a tooltip, drawn by ``bpmn.render`` from the stage rollups of a unit and period range."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bpmn.loading import load_document
from bpmn.render import Overlay, render_svg
from engine.access import require_role, require_unit
from engine.errors import Invalid, NotFound
from engine.indicator_queries import READERS
from engine.indicators import STAGE_PREFIX, Aggregate
from engine.rollups import version_measures
from models import IndicatorRollup, Standard, StandardVersion, Unit, VersionStatus

METRICS = ("duration", "breach_rate")
IN_FORCE = (VersionStatus.published, VersionStatus.superseded)
# Pastel scale from green through amber to red: badges stay readable on every colour.
SCALE = ((0.0, (0xC8, 0xE6, 0xC9)), (0.5, (0xFF, 0xE0, 0x82)), (1.0, (0xEF, 0x9A, 0x9A)))
STROKES = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828"}


@dataclass(frozen=True)
class StageStatistic:
    checkpoint_id: str
    node_id: str
    name: str
    count: int
    mean_seconds: float | None
    breach_rate: float | None
    deadline_seconds: float | None


def colour(share: float) -> str:
    """The fill for a share 0 (good) .. 1 (bad) on the green–amber–red scale."""
    share = min(max(share, 0.0), 1.0)
    for (a, ca), (b, cb) in itertools.pairwise(SCALE):
        if share <= b:
            t = (share - a) / (b - a)
            mixed = (round(x + (y - x) * t) for x, y in zip(ca, cb, strict=True))
            return "#" + "".join(f"{c:02x}" for c in mixed)
    return "#" + "".join(f"{c:02x}" for c in SCALE[-1][1])


def human_duration(seconds: float) -> str:
    """A short Russian label: 45 с, 12 мин, 3,5 ч, 2,1 дн."""
    if seconds < 60:
        return f"{seconds:.0f} с"
    if seconds < 3600:
        return f"{seconds / 60:.0f} мин"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} ч".replace(".", ",")
    return f"{seconds / 86400:.1f} дн".replace(".", ",")


def _version(session: Session, standard: Standard, number: int | None) -> StandardVersion:
    query = select(StandardVersion).where(
        StandardVersion.standard_id == standard.id, StandardVersion.status.in_(IN_FORCE)
    )
    if number is not None:
        query = query.where(StandardVersion.number == number)
    else:
        query = query.where(StandardVersion.effective_from <= dt.date.today())
    version = session.scalars(
        query.order_by(StandardVersion.effective_from.desc(), StandardVersion.number.desc())
    ).first()
    if version is None:
        raise NotFound("No published version of this standard.", standard=standard.key)
    return version


def _unit(session: Session, actor, unit_id: int | None) -> Unit:
    require_role(actor, *READERS)
    if unit_id is None:
        paths = [p for p in actor.scope_paths(*READERS)] or (["/"] if actor.is_system else [])
        top = min(paths, key=len) if paths else None
        ids = [int(p) for p in (top or "").strip("/").split("/") if p]
        unit_id = ids[-1] if ids else None
        if unit_id is None and actor.is_system:
            unit_id = session.scalar(select(Unit.id).where(Unit.parent_id.is_(None)))
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    require_unit(actor, unit, *READERS)
    return unit


def stage_statistics(
    session: Session,
    actor,
    *,
    standard_key: str,
    unit_id: int | None = None,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    version_number: int | None = None,
) -> tuple[StandardVersion, Unit, list[StageStatistic]]:
    """Per checkpoint of the version: stages counted, mean duration and breach rate in the
    unit over the period range (whole days when a range is given, months otherwise)."""
    unit = _unit(session, actor, unit_id)
    standard = session.scalars(select(Standard).where(Standard.key == standard_key)).one_or_none()
    if standard is None:
        raise NotFound("Standard not found.", standard=standard_key)
    version = _version(session, standard, version_number)
    ranged = period_from is not None or period_to is not None
    query = select(IndicatorRollup).where(
        IndicatorRollup.standard_key == standard_key,
        IndicatorRollup.unit_id == unit.id,
        IndicatorRollup.granularity == ("day" if ranged else "month"),
        IndicatorRollup.indicator_id.like(f"{STAGE_PREFIX}%"),
    )
    if period_from:
        query = query.where(IndicatorRollup.period_start >= period_from)
    if period_to:
        query = query.where(IndicatorRollup.period_start <= period_to)
    sums: dict[str, Aggregate] = defaultdict(Aggregate)
    for row in session.scalars(query):
        sums[row.indicator_id[len(STAGE_PREFIX) :]] += Aggregate(
            row.count, row.total, row.total_sq, flagged=row.flagged
        )
    measures = version_measures(session, version.id)
    statistics = []
    for checkpoint in (version.summary or {}).get("checkpoints") or ():
        agg = sums.get(checkpoint["id"], Aggregate())
        deadline = measures.step_deadlines.get(checkpoint["id"]) if measures else None
        nominal = None
        if deadline is not None:
            duration = deadline[0]
            days = duration.days + 7 * duration.weeks
            # Nominal length: a working day counts as a calendar day here, good enough to
            # colour a stage by how much of its norm it uses.
            nominal = days * 86400 + duration.time_part().total_seconds()
        statistics.append(
            StageStatistic(
                checkpoint_id=checkpoint["id"],
                node_id=checkpoint["node_id"],
                name=checkpoint.get("name") or checkpoint["id"],
                count=agg.count,
                mean_seconds=agg.mean,
                breach_rate=(agg.flagged / agg.count) if agg.count else None,
                deadline_seconds=nominal or None,
            )
        )
    return version, unit, statistics


def _overlay(stat: StageStatistic, metric: str, longest: float) -> Overlay | None:
    if not stat.count or stat.mean_seconds is None:
        return None
    rate = stat.breach_rate or 0.0
    if metric == "breach_rate":
        share, badge = rate / 0.2, f"{rate * 100:.0f}%"  # 20 % of stages late is full red
    else:
        norm = stat.deadline_seconds or longest or 1.0
        share, badge = stat.mean_seconds / norm / 1.5, human_duration(stat.mean_seconds)
    status = "green" if share < 1 / 3 else "amber" if share < 2 / 3 else "red"
    title = (
        f"{stat.name}: в среднем {human_duration(stat.mean_seconds)}, "
        f"с нарушением срока {rate * 100:.1f}% из {stat.count}"
    )
    return Overlay(fill=colour(share), stroke=STROKES[status], badge=badge, title=title)


def heatmap_svg(
    session: Session,
    actor,
    *,
    standard_key: str,
    metric: str = "duration",
    unit_id: int | None = None,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    version_number: int | None = None,
) -> str:
    """The SVG of the version's diagram with a coloured overlay per checkpoint node."""
    if metric not in METRICS:
        raise Invalid("Unknown heatmap metric.", {"metric": [f"one of {', '.join(METRICS)}"]})
    version, _, statistics = stage_statistics(
        session,
        actor,
        standard_key=standard_key,
        unit_id=unit_id,
        period_from=period_from,
        period_to=period_to,
        version_number=version_number,
    )
    longest = max((s.mean_seconds or 0.0 for s in statistics), default=0.0)
    overlays = {}
    for stat in statistics:
        overlay = _overlay(stat, metric, longest)
        if overlay is not None:
            overlays[stat.node_id] = overlay
    document = load_document(version.bpmn, source=f"{standard_key} v{version.number}")
    return render_svg(document, overlays=overlays)
