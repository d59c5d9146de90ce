"""What distribution does when versions are published or withdrawn, in the publishing
transaction: change-feed events, webhook deliveries queued for the worker, and the search index
updated. Called from `standards.publication`."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from models import ChangeKind, Release, StandardVersion
from standards import search, webhooks
from standards.distribution import record_changes


def announce_publication(
    session: Session, release: Release, versions: Sequence[StandardVersion]
) -> None:
    """Feed events and webhook deliveries for the release's versions; index them for search."""
    for version in versions:
        search.index_version(session, version)
    events = record_changes(session, ChangeKind.published, versions, release)
    webhooks.enqueue_deliveries(session, events)


def announce_withdrawal(session: Session, version: StandardVersion) -> None:
    """A withdrawal event and its deliveries; the version leaves the search index."""
    search.unindex_version(session, version)
    events = record_changes(session, ChangeKind.withdrawn, [version])
    webhooks.enqueue_deliveries(session, events)
