"""Live workflows: the process that moved an instance on last keeps its workflow in memory, so
the next step of the instance needs no deserialisation of the stored state.

Safety rests on the row, not on the cache:

- an entry is keyed by the row version it was saved as — ``(instance id, lock_version,
  updated_at)`` — and is published only after the session that wrote it committed; any later
  write to the row (from any process) bumps ``lock_version`` and ``updated_at``, so the key
  of a stale entry never matches again: a stale entry is just a miss;
- :meth:`LiveWorkflows.take` removes the entry: the caller mutates the workflow, and if its
  transaction fails the half-run workflow is simply gone (the next step restores from the row);
- the compare-and-set on ``lock_version`` still decides which of two concurrent steps wins.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from threading import Lock
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from engine.case_rows import RowVersion
from engine.spiff import Workflow

logger = logging.getLogger(__name__)

_PENDING = "etalon.live_workflows"  # session.info key: workflows saved, not yet committed


class LiveWorkflows:
    """A bounded, thread-safe LRU of workflows by the row version they were saved as."""

    def __init__(self, capacity: int = 256) -> None:  # ~100 KiB for a 100-step instance
        self.capacity = capacity
        self._entries: OrderedDict[RowVersion, Workflow] = OrderedDict()
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    def take(self, key: RowVersion, spec_key: str) -> Workflow | None:
        """The workflow saved as the row version ``key``, removed from the cache; None when
        this process does not hold it (or holds it for another spec)."""
        with self._lock:
            workflow = self._entries.pop(key, None)
            if workflow is not None and workflow.parsed.key == spec_key:
                self.hits += 1
                return workflow
            self.misses += 1
            return None

    def remember(self, session: Session, key: RowVersion, workflow: Workflow) -> None:
        """Keep ``workflow`` as the state of row version ``key`` once ``session`` commits."""
        if self.capacity > 0:
            session.info.setdefault(_PENDING, {})[key[0]] = (self, key, workflow)

    def _keep(self, key: RowVersion, workflow: Workflow) -> None:
        if workflow.events:  # unsaved events: not the stored state
            return
        with self._lock:
            self._entries[key] = workflow
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every workflow (tests, benchmarks of the cold path)."""
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


live_workflows = LiveWorkflows()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # Also after a savepoint's release: harmless, the key still has to match the row.
    for cache, key, workflow in session.info.pop(_PENDING, {}).values():
        cache._keep(key, workflow)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)  # what was saved in the transaction is not the row's
