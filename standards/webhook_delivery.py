"""Sending webhook deliveries: the worker's job (`deliver_due_webhooks`).

Claims follow the timers' pattern: a lease in `claimed_until`; on PostgreSQL `SELECT … FOR
UPDATE SKIP LOCKED`, on SQLite one atomic UPDATE. Each attempt is recorded as a row with the
receiver's status or the error; failures are retried with exponential backoff and full jitter
(`backoff`) up to `MAX_ATTEMPTS`, then the delivery is `failed`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from sqlalchemy.orm import Session

from engine.leases import claim_rows
from models import DeliveryStatus, WebhookAttempt, WebhookDelivery, utcnow
from standards.distribution import event_payload
from standards.webhooks import SIGNATURE_HEADER, signature

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(hours=6)
TIMEOUT_SECONDS = 10.0
LEASE = dt.timedelta(minutes=2)


def backoff(attempts: int, rng: random.Random | None = None) -> dt.timedelta:
    """Delay before the next attempt after `attempts` failures: full jitter over an
    exponentially growing ceiling (30 s, 1 min, 2 min, … capped at 6 h)."""
    ceiling = min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)
    return ceiling * (rng or random).uniform(0.5, 1.0)


def claim_due_deliveries(
    session: Session, worker: str, *, now: dt.datetime | None = None, limit: int = 20
) -> list[int]:
    """Claim up to `limit` due deliveries; the caller commits at once."""
    now = now or utcnow()
    return claim_rows(
        session,
        WebhookDelivery,
        (
            WebhookDelivery.status == DeliveryStatus.pending,
            WebhookDelivery.next_attempt_at <= now,
        ),
        order_by=WebhookDelivery.next_attempt_at,
        worker=worker,
        now=now,
        lease=LEASE,
        limit=limit,
    )


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, None
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, f"{type(exc).__name__}: {reason}"[:1000]


def send_delivery(session: Session, delivery_id: int, *, now: dt.datetime | None = None) -> bool:
    """Make one attempt of a claimed delivery and record it; True when delivered."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.pending:
        return False
    hook = delivery.webhook
    body = json.dumps(event_payload(delivery.event), ensure_ascii=False).encode("utf-8")
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Etalon-Webhooks/1",
        "X-Etalon-Event": f"standard.{delivery.event.kind}",
        "X-Etalon-Delivery": str(delivery.id),
        SIGNATURE_HEADER: signature(hook.secret, timestamp, body),
    }
    started = time.monotonic()
    status, error = _post(hook.url, body, headers)
    elapsed = int((time.monotonic() - started) * 1000)
    delivery.attempts += 1
    now = now or utcnow()
    session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            number=delivery.attempts,
            at=now,
            status_code=status,
            error=error,
            duration_ms=elapsed,
        )
    )
    delivery.last_status_code = status
    delivery.claimed_by = delivery.claimed_until = None
    if status is not None and 200 <= status < 300:
        delivery.status = DeliveryStatus.delivered
        delivery.delivered_at = now
        delivery.last_error = None
        delivery.next_attempt_at = None
        return True
    delivery.last_error = error or f"HTTP {status}"
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.failed
        delivery.next_attempt_at = None
        logger.warning("webhook delivery %s failed for good: %s", delivery.id, delivery.last_error)
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    return False


def deliver_due_webhooks(session_factory: Callable[[], Session], worker: str) -> int:
    """The worker's job: claim due deliveries, attempt each in its own transaction; return how
    many were delivered."""
    with session_factory() as session:
        ids = claim_due_deliveries(session, worker)
        session.commit()
    delivered = 0
    for delivery_id in ids:
        with session_factory() as session:
            if send_delivery(session, delivery_id):
                delivered += 1
            session.commit()
    if ids:
        logger.info("worker %s: %d deliveries attempted, %d delivered", worker, len(ids), delivered)
    return delivered
