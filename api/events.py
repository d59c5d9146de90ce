"""Checkpoint events pushed by regional systems: batches of up to 10,000 as JSON or NDJSON.

Accepted events are stored and queued; `etalon worker` folds them into traces, conformance and
rollups (`engine.fold`). `?fold=now` folds a batch in the request instead, and
`GET /events/backlog` says how many accepted events are not folded yet."""

from __future__ import annotations

import json

from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import accepts, current_actor
from api.db import db
from api.pagination import Blueprint
from engine.errors import DomainError
from engine.fold import event_backlog
from engine.ingest import MAX_BATCH, ingest_events

URL = "/events"
blp = Blueprint("events", __name__, description="Checkpoint events pushed by regional systems")

NDJSON = ("application/x-ndjson", "application/ndjson")
EVENT_PROPERTIES = {
    "event_id": {"type": "string", "description": "unique per source: a replay is a duplicate"},
    "case_id": {"type": "string"},
    "standard": {"type": "string", "description": "standard key"},
    "version": {"type": "integer", "description": "optional: default the version in force"},
    "checkpoint_id": {"type": "string"},
    "kind": {"type": "string", "enum": ["reached", "completed"], "default": "completed"},
    "occurred_at": {"type": "string", "format": "date-time", "description": "with a zone"},
    "office": {"type": "string", "description": "office code, e.g. R48-LIP"},
    "actor": {"type": "string", "description": "employee login or id in the regional system"},
    "attributes": {"type": "object", "description": "the checkpoint's declared attributes"},
}
EVENT = {"type": "object", "properties": EVENT_PROPERTIES}
EVENTS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"type": "array", "items": EVENT, "maxItems": MAX_BATCH},
                        {
                            "type": "object",
                            "properties": {"events": {"type": "array", "items": EVENT}},
                        },
                    ]
                }
            },
            "application/x-ndjson": {"schema": {"type": "string", "description": "one per line"}},
        },
    }
}


class MalformedBody(DomainError):
    """The body is neither a JSON list of events nor NDJSON."""


class IngestQuerySchema(Schema):
    fold = fields.String(
        load_default="queue",
        validate=validate.OneOf(("queue", "now")),
        metadata={
            "description": "queue (default): the worker folds the events into the figures; "
            "now: fold them in this request (slower, for small batches)"
        },
    )


class IngestReportSchema(Schema):
    received = fields.Integer()
    accepted = fields.Integer(metadata={"description": "stored now"})
    queued = fields.Integer(
        metadata={"description": "of the accepted, waiting to be folded into the figures"}
    )
    duplicates = fields.List(fields.String(), metadata={"description": "event ids seen before"})
    rejected = fields.List(
        fields.Dict(), metadata={"description": "{index, event_id, errors: {field: [...]}}"}
    )
    refused = fields.List(
        fields.Dict(), metadata={"description": "{index, event_id, office}: outside your region"}
    )


def _events_of_body() -> list:
    text = request.get_data(as_text=True)
    if request.mimetype in NDJSON:
        events: list = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except ValueError:
                raise MalformedBody(f"Line {number} is not valid JSON.", line=number) from None
        return events
    try:
        body = json.loads(text)
    except ValueError:
        raise MalformedBody("The request body is not valid JSON.") from None
    if isinstance(body, dict) and isinstance(body.get("events"), list):
        return body["events"]
    if isinstance(body, list):
        return body
    raise MalformedBody('The body must be a list of events or {"events": [...]}.')


@blp.route("")
class Events(MethodView):
    @accepts("application/json", *NDJSON)
    @blp.arguments(IngestQuerySchema, location="query", as_kwargs=True)
    @blp.doc(**EVENTS_BODY)
    @blp.response(200, IngestReportSchema)
    def post(self, fold: str):
        """Push checkpoint events (regional systems, offices of their region only). Valid events
        are stored and queued for the fold (`queued`); invalid ones come back in `rejected`,
        other regions' in `refused`, replays in `duplicates`"""
        report = ingest_events(db.session, current_actor(), _events_of_body(), fold=fold == "now")
        return report.to_dict()


class BacklogSchema(Schema):
    pending = fields.Integer(metadata={"description": "accepted events not folded yet"})
    oldest_recorded_at = fields.DateTime(
        allow_none=True, metadata={"description": "arrival of the oldest of them"}
    )


@blp.route("/backlog")
class Backlog(MethodView):
    @blp.response(200, BacklogSchema)
    def get(self):
        """Accepted events not yet folded into traces, conformance and rollups (regional
        systems, auditors, managers, administrators)"""
        found = event_backlog(db.session, current_actor())
        return {"pending": found.pending, "oldest_recorded_at": found.oldest_recorded_at}
