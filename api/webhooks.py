"""Webhooks of regional systems: register a URL and a secret, list, delete, see deliveries.

Every publication or withdrawal is POSTed to each active webhook as the JSON of a change-feed
event, signed: `X-Etalon-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." +
body)>`; also `X-Etalon-Event` (standard.published | standard.withdrawn) and
`X-Etalon-Delivery` (the delivery id). Failed deliveries are retried by `etalon worker` with
exponential backoff and jitter, up to 8 attempts.
"""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from engine import org
from engine.access import Actor, require_role
from engine.errors import Invalid
from models import Role
from standards import webhook_delivery, webhooks  # noqa: F401  (registers the worker job)

URL = "/webhooks"
blp = Blueprint("webhooks", __name__, description=__doc__.split("\n\n")[1].replace("\n", " "))


class WebhookSchema(Schema):
    id = fields.Integer(dump_only=True)
    url = fields.String(required=True, validate=validate.Length(8, 2000))
    secret = fields.String(
        load_only=True,
        validate=validate.Length(16, 200),
        metadata={"description": "signs deliveries; generated when absent; never returned again"},
    )
    description = fields.String(load_default="", validate=validate.Length(0, 500))
    unit_code = fields.String(
        load_default=None,
        metadata={"description": "the region; default: the region of the caller's grant"},
    )
    unit = fields.Function(lambda w: w.unit.code, dump_only=True)
    is_active = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class CreatedWebhookSchema(WebhookSchema):
    secret_once = fields.String(
        data_key="secret", dump_only=True, metadata={"description": "shown this once"}
    )


class AttemptSchema(Schema):
    number = fields.Integer()
    at = fields.DateTime()
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer()


class DeliverySchema(Schema):
    id = fields.Integer()
    event_cursor = fields.Integer(attribute="event_id")
    event_type = fields.Function(lambda d: f"standard.{d.event.kind}")
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    attempt_log = fields.List(fields.Nested(AttemptSchema), data_key="attempt_log")


def _unit(actor: Actor, code: str | None):
    if code is not None:
        return org.unit_by_code(db.session, code)
    units = {g.unit_id for g in actor.grants if g.role in webhooks.SUBSCRIBERS}
    if len(units) != 1:
        raise Invalid("Name the region: `unit_code`.", {"unit_code": ["required"]})
    return org.get_unit(db.session, actor, units.pop(), Role.regional_system, Role.administrator)


@blp.route("")
class Webhooks(MethodView):
    @blp.response(200, WebhookSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Webhooks of the regions in my scope (regional systems, administrators)"""
        return page_of(webhooks.visible_webhooks(current_actor()), pagination_parameters)

    @blp.arguments(WebhookSchema)
    @blp.response(201, CreatedWebhookSchema)
    def post(self, data):
        """Register a webhook (http/https, no credentials in the URL); the secret is shown once"""
        actor = current_actor()
        require_role(actor, *webhooks.SUBSCRIBERS)
        webhook, secret = webhooks.register_webhook(
            db.session,
            actor,
            url=data["url"],
            unit=_unit(actor, data.get("unit_code")),
            secret=data.get("secret"),
            description=data["description"],
        )
        webhook.secret_once = secret
        return webhook


@blp.route("/<int:webhook_id>")
class WebhookById(MethodView):
    @blp.response(200, WebhookSchema)
    def get(self, webhook_id):
        """A webhook (without its secret)"""
        return webhooks.get_webhook(db.session, current_actor(), webhook_id)

    @blp.response(200, WebhookSchema)
    def delete(self, webhook_id):
        """Delete a webhook; its pending deliveries are dropped"""
        actor = current_actor()
        webhook = webhooks.get_webhook(db.session, actor, webhook_id)
        return webhooks.delete_webhook(db.session, actor, webhook)


@blp.route("/<int:webhook_id>/deliveries")
class Deliveries(MethodView):
    @blp.response(200, DeliverySchema(many=True))
    @blp.paginate()
    def get(self, webhook_id, pagination_parameters):
        """Deliveries of a webhook, newest first, with every attempt"""
        actor = current_actor()
        webhook = webhooks.get_webhook(db.session, actor, webhook_id)
        return page_of(webhooks.deliveries_of(db.session, actor, webhook), pagination_parameters)
