"""What happens after versions are published or withdrawn, in the same transaction.

`standards.releases` calls these two functions; each consequence of a publication (the change
feed and webhooks for regional systems, the dependency graph, study assignments, …) is one
line here, so the whole list is in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from engine.access import Actor
from models import Release, StandardVersion
from standards import announcements, study


def after_publication(
    session: Session, actor: Actor, release: Release, versions: Sequence[StandardVersion]
) -> None:
    """Called once per published release, after its versions became `published`."""
    announcements.announce_publication(session, release, versions)  # feed, webhooks, search
    study.on_publication(session, actor, versions)  # dependency graph, study assignments


def after_withdrawal(session: Session, actor: Actor, version: StandardVersion) -> None:
    """Called after a published version was withdrawn."""
    announcements.announce_withdrawal(session, version)  # feed, webhooks, search
    study.on_withdrawal(session, actor, version)  # dependency graph
