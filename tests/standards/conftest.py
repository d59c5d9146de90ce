"""Helpers for registry tests: actors of the sample org and library files."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from engine.access import Actor, load_actor
from models import Person, Standard, StandardVersion
from standards import registry, releases
from standards.library import load_catalog
from standards.seeding import approve_as_system

CATALOG = {entry.key: entry for entry in load_catalog()}
REGISTRATION = "employment.job-seeker-registration"


def library_file(key: str, number: int) -> bytes:
    return CATALOG[key].path(number).read_bytes()


@pytest.fixture
def actor(session):
    def make(login: str) -> Actor:
        person = session.scalars(select(Person).where(Person.login == login)).one()
        return load_actor(session, person.id)

    return make


@pytest.fixture
def standard(session):
    def get(key: str = REGISTRATION) -> Standard:
        return session.scalars(select(Standard).where(Standard.key == key)).one()

    return get


@pytest.fixture
def publish_now(session, system):
    """Approve (without a route) and publish versions as one release."""

    def publish(*versions: StandardVersion, effective: dt.date | None = None):
        for version in versions:
            approve_as_system(session, system, version)
        release = releases.create_release(
            session,
            system,
            name="test",
            effective_date=effective or dt.date.today(),
            versions=list(versions),
        )
        releases.publish_release(session, system, release)
        session.flush()
        return release

    return publish


@pytest.fixture
def draft(session, standard, actor):
    """A fresh draft of the registration standard uploaded by methodologist2."""

    def make(data: bytes | None = None, login: str = "methodologist2") -> StandardVersion:
        body = data if data is not None else library_file(REGISTRATION, 2) + b"\n<!-- edit -->"
        result = registry.upload_version(session, actor(login), standard(), body, note="test")
        session.flush()
        return result.version

    return make
