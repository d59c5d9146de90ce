"""Webhooks: regional systems register a URL and a secret; every publication or withdrawal
becomes one delivery row per active webhook, in the publishing transaction, which the worker
sends (`standards.webhook_delivery`).

Signature header (documented in the README and the OpenAPI description):

    X-Etalon-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>

Secrets are stored as given (the server must read them back to sign) and are never returned
after creation.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine import audit
from engine.access import Actor, in_scope, require_role, require_unit
from engine.errors import Invalid, NotFound
from models import (
    DeliveryStatus,
    PublicationEvent,
    Role,
    Unit,
    Webhook,
    WebhookDelivery,
    utcnow,
)

logger = logging.getLogger(__name__)

SUBSCRIBERS = (Role.regional_system, Role.administrator)
SIGNATURE_HEADER = "X-Etalon-Signature"
MIN_SECRET = 16


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of `X-Etalon-Signature` for `body` sent at `timestamp`."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does: recompute the HMAC of `t.body` and compare in constant time."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        return False
    expected = signature(secret, int(parts["t"]), body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts["v1"])


def check_url(url: str) -> str:
    """Only absolute http(s) URLs with a host and no credentials."""
    parts = urlsplit(url)
    problems = []
    if parts.scheme not in ("http", "https"):
        problems.append("the scheme must be http or https")
    if not parts.hostname:
        problems.append("the URL needs a host")
    if parts.username or parts.password:
        problems.append("credentials in the URL are not allowed: the secret signs deliveries")
    if parts.fragment:
        problems.append("a fragment is meaningless for a webhook")
    if problems:
        raise Invalid(f"{url!r} cannot receive webhooks.", {"url": problems})
    return url


def register_webhook(
    session: Session,
    actor: Actor,
    *,
    url: str,
    unit: Unit,
    secret: str | None = None,
    description: str = "",
) -> tuple[Webhook, str]:
    """Subscribe `url` for `unit` (a regional system for its own region); return the webhook
    and its secret, which is never shown again. A missing secret is generated."""
    require_unit(actor, unit, *SUBSCRIBERS)
    check_url(url)
    if secret is None:
        secret = secrets.token_hex(32)
    elif len(secret) < MIN_SECRET:
        raise Invalid(
            f"The secret must have at least {MIN_SECRET} characters.", {"secret": ["too short"]}
        )
    webhook = Webhook(
        url=url, secret=secret, description=description, unit=unit, owner_id=actor.person_id
    )
    session.add(webhook)
    audit.record(session, actor, "webhook.register", webhook, unit_id=unit.id, url=url)
    return webhook, secret


def visible_webhooks(actor: Actor) -> Select[tuple[Webhook]]:
    """Active webhooks of units in the actor's scope."""
    require_role(actor, *SUBSCRIBERS)
    unit_path = select(Unit.path).where(Unit.id == Webhook.unit_id).scalar_subquery()
    return (
        select(Webhook)
        .where(Webhook.deleted_at.is_(None), in_scope(actor, unit_path, *SUBSCRIBERS))
        .order_by(Webhook.id)
    )


def get_webhook(session: Session, actor: Actor, webhook_id: int) -> Webhook:
    webhook = session.get(Webhook, webhook_id)
    require_role(actor, *SUBSCRIBERS)
    if webhook is None or webhook.deleted_at is not None:
        raise NotFound("Webhook not found.")
    require_unit(actor, webhook.unit, *SUBSCRIBERS, what="Webhook")
    return webhook


def delete_webhook(session: Session, actor: Actor, webhook: Webhook) -> Webhook:
    """Unsubscribe: pending deliveries are dropped; the history of deliveries stays."""
    require_unit(actor, webhook.unit, *SUBSCRIBERS, what="Webhook")
    webhook.deleted_at = utcnow()
    webhook.is_active = False
    for delivery in session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.webhook_id == webhook.id,
            WebhookDelivery.status == DeliveryStatus.pending,
        )
    ):
        delivery.status = DeliveryStatus.failed
        delivery.last_error = "webhook deleted"
        delivery.next_attempt_at = None
    audit.record(session, actor, "webhook.delete", webhook, unit_id=webhook.unit_id)
    return webhook


def deliveries_of(session: Session, actor: Actor, webhook: Webhook) -> Select:
    """The webhook's deliveries, newest first."""
    require_unit(actor, webhook.unit, *SUBSCRIBERS, what="Webhook")
    return (
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook.id)
        .order_by(WebhookDelivery.id.desc())
    )


def enqueue_deliveries(
    session: Session, events: Sequence[PublicationEvent]
) -> list[WebhookDelivery]:
    """One pending delivery per active webhook and event, due now."""
    hooks = session.scalars(select(Webhook).where(Webhook.is_active.is_(True))).all()
    now = utcnow()
    deliveries = [
        WebhookDelivery(
            webhook_id=hook.id,
            event_id=event.id,
            status=DeliveryStatus.pending,
            next_attempt_at=now,
        )
        for event in events
        for hook in hooks
    ]
    session.add_all(deliveries)
    session.flush()
    if deliveries:
        logger.info("queued %d webhook deliveries", len(deliveries))
    return deliveries
