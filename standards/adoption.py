"""Adoption: which version of each standard every region runs. A regional system acknowledges
the version it runs for its own region (pushed checkpoint events will count later); the report
shows, per standard, who runs the version in force and who lags behind."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.access import Actor, in_scope, require_role, require_unit
from engine.errors import Conflict, Invalid
from models import Adoption, Role, Standard, StandardVersion, Unit, UnitLevel, VersionStatus, utcnow
from standards.registry import get_version, version_in_force

logger = logging.getLogger(__name__)

REPORTERS = (Role.regional_system,)
READERS = (
    Role.administrator,
    Role.methodologist,
    Role.approver,
    Role.auditor,
    Role.manager,
    Role.regional_system,
)
RUNNABLE = (VersionStatus.published, VersionStatus.superseded)


@dataclass(frozen=True)
class RegionAdoption:
    unit_code: str
    unit_name: str
    version: int | None
    reported_at: dt.datetime | None
    status: str  # current | lagging | ahead | unknown


@dataclass(frozen=True)
class AdoptionReport:
    key: str
    title: str
    in_force: int | None
    regions: tuple[RegionAdoption, ...]

    @property
    def lagging(self) -> tuple[str, ...]:
        return tuple(r.unit_code for r in self.regions if r.status in ("lagging", "unknown"))


def _reporting_region(actor: Actor, session: Session, unit: Unit | None) -> Unit:
    if unit is not None:
        return unit
    regions = [g.unit_id for g in actor.grants if g.role == Role.regional_system]
    if len(regions) != 1:
        raise Invalid(
            "Name the region (`unit`): this identity reports for several regions or none.",
            {"unit": ["required"]},
        )
    return session.get(Unit, regions[0])


def acknowledge_version(
    session: Session,
    actor: Actor,
    standard: Standard,
    number: int,
    *,
    unit: Unit | None = None,
) -> Adoption:
    """Record that `unit` (the reporting system's region) runs version `number`."""
    require_role(actor, *REPORTERS)
    region = _reporting_region(actor, session, unit)
    require_unit(actor, region, *REPORTERS)
    if region.level != UnitLevel.region:
        raise Invalid(f"{region.code} is not a region.", {"unit": ["not a region"]})
    version = get_version(session, actor, standard, number)
    if version.status not in RUNNABLE:
        raise Conflict(
            f"{version.label} is {version.status}: only published versions can be run.",
            status=str(version.status),
        )
    adoption = session.scalars(
        select(Adoption).where(Adoption.standard_id == standard.id, Adoption.unit_id == region.id)
    ).one_or_none()
    if adoption is None:
        adoption = Adoption(standard_id=standard.id, unit_id=region.id, version_id=version.id)
        session.add(adoption)
    adoption.version_id = version.id
    adoption.reported_by_id = actor.person_id
    adoption.reported_at = utcnow()
    adoption.source = "acknowledged"
    audit.record(
        session,
        actor,
        "adoption.acknowledge",
        standard,
        unit_id=region.id,
        key=standard.key,
        number=number,
        region=region.code,
    )
    return adoption


def adoption_report(
    session: Session, actor: Actor, standard: Standard, on: dt.date | None = None
) -> AdoptionReport:
    """Per region in the actor's scope: the version it runs against the one in force."""
    require_role(actor, *READERS)
    in_force = version_in_force(session, standard, on)
    regions = session.scalars(
        select(Unit)
        .where(Unit.level == UnitLevel.region, in_scope(actor, Unit.path, *READERS))
        .order_by(Unit.code)
    ).all()
    reported = {
        a.unit_id: a
        for a in session.scalars(select(Adoption).where(Adoption.standard_id == standard.id))
    }
    numbers = dict(
        session.execute(
            select(StandardVersion.id, StandardVersion.number).where(
                StandardVersion.standard_id == standard.id
            )
        ).all()
    )
    rows = []
    for region in regions:
        adoption = reported.get(region.id)
        number = numbers.get(adoption.version_id) if adoption else None
        rows.append(
            RegionAdoption(
                unit_code=region.code,
                unit_name=region.name,
                version=number,
                reported_at=adoption.reported_at if adoption else None,
                status=_status(number, in_force.number if in_force else None),
            )
        )
    return AdoptionReport(
        standard.key, standard.title, in_force.number if in_force else None, tuple(rows)
    )


def _status(running: int | None, in_force: int | None) -> str:
    if running is None:
        return "unknown"
    if in_force is None or running == in_force:
        return "current"
    return "lagging" if running < in_force else "ahead"
