"""The periodic jobs `etalon worker` runs after the due timers in every pass — the one list,
assembled here where every layer is visible. Each job claims its own work (leases, SKIP LOCKED
or a claimed schedule slot), so any number of workers may run them."""

from __future__ import annotations

from engine.assignments import flag_overdue_job
from engine.fold import fold_job
from engine.loop_jobs import run_daily_digest, run_escalation, run_scheduled_detectors
from engine.worker import Job
from standards.change_requests import run_change_request_check
from standards.webhook_delivery import deliver_due_webhooks

WORKER_JOBS: tuple[Job, ...] = (
    fold_job,  # pushed checkpoint events into traces, conformance, rollups, the index
    deliver_due_webhooks,  # publication / withdrawal events to regional systems
    flag_overdue_job,  # assignments past their due date become overdue
    run_scheduled_detectors,  # deviation detectors on their schedules
    run_escalation,  # overdue corrective assignments one level up
    run_daily_digest,  # employees' informational task each working day
    run_change_request_check,  # indicators red in several regions → change requests
)
