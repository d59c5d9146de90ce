"""The pull API for regional systems: standards in force, their manifests and BPMN, and the
change feed. A stable contract: other organisations' software codes against it.

Conditional requests: the manifest and the BPMN carry strong ETags (the BPMN's SHA-256; the
SHA-256 of the manifest's canonical JSON). `If-None-Match` takes `*` or a list of entity tags
(weak comparison, RFC 9110 §13.1.2); a match answers 304 with the ETag and no body. A header
that does not parse is ignored, as RFC 9110 allows for a precondition the server cannot
evaluate: the client simply gets the full answer.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from flask import Response, request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from standards import distribution

URL = ""
blp = Blueprint(
    "published",
    __name__,
    description="Pull API for regional systems: standards in force and the change feed",
)

ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*')


def parse_if_none_match(header: str | None) -> set[str] | None:
    """Opaque tags of an If-None-Match header, {'*'} for `*`, None when absent or malformed."""
    if header is None:
        return None
    if header.strip() == "*":
        return {"*"}
    tags: set[str] = set()
    for item in header.split(","):
        if not item.strip():
            continue
        match = ENTITY_TAG.fullmatch(item)
        if match is None:
            return None
        tags.add(match.group(2))
    return tags or None


def conditional(body: bytes, etag: str, mimetype: str, **headers: str) -> Response:
    """200 with the body and the ETag, or 304 when If-None-Match matches."""
    tags = parse_if_none_match(request.headers.get("If-None-Match"))
    response_headers = {"ETag": f'"{etag}"', "Cache-Control": "no-cache", **headers}
    if tags is not None and ("*" in tags or etag in tags):
        return Response(status=304, headers=response_headers)
    return Response(body, mimetype=mimetype, headers=response_headers)


class OnQuerySchema(Schema):
    on = fields.Date(
        metadata={"description": "the date the standards are in force (default today)"}
    )


class PublishedSchema(Schema):
    key = fields.Function(lambda v: v.standard.key)
    title = fields.Function(lambda v: v.standard.title)
    kind = fields.Function(lambda v: str(v.standard.kind))
    category = fields.Function(lambda v: str(v.standard.category))
    process_id = fields.Function(lambda v: v.standard.process_id)
    version = fields.Integer(attribute="number")
    sha256 = fields.String(metadata={"description": "SHA-256 of the BPMN: its ETag"})
    size = fields.Integer()
    effective_from = fields.Date()
    published_at = fields.DateTime()
    manifest_url = fields.Function(lambda v: f"/api/v1/published/{v.standard.key}")
    bpmn_url = fields.Function(lambda v: f"/api/v1/published/{v.standard.key}/bpmn")


class ManifestSchema(Schema):
    """The manifest of the version in force (documentation of the JSON body)."""

    key = fields.String()
    title = fields.String()
    kind = fields.String()
    category = fields.String()
    service_code = fields.String(allow_none=True)
    process_id = fields.String(allow_none=True)
    version = fields.Integer()
    status = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    effective_from = fields.String(allow_none=True)
    published_at = fields.String(allow_none=True)
    processes = fields.List(fields.Dict())
    checkpoints = fields.List(
        fields.Dict(), metadata={"description": "id, name, node_id, process_id, deadline"}
    )
    deadlines = fields.List(fields.Dict())
    indicators = fields.List(fields.Dict())
    roles = fields.List(fields.Dict(), metadata={"description": "code, name"})
    called_processes = fields.List(fields.String())
    attachments = fields.List(fields.Dict())


class ChangesQuerySchema(Schema):
    after = fields.String(
        load_default=None,
        metadata={"description": "0 (or absent): from the start; else a `cursor` answered before"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(1, distribution.MAX_PAGE))


class ChangeSchema(Schema):
    cursor = fields.Integer(metadata={"description": "this event's position in the feed"})
    type = fields.String(metadata={"description": "standard.published | standard.withdrawn"})
    kind = fields.String()
    key = fields.String()
    version = fields.Integer()
    sha256 = fields.String()
    effective_from = fields.String(allow_none=True)
    release_id = fields.Integer(allow_none=True)
    at = fields.String()
    links = fields.Dict()


class ChangePageSchema(Schema):
    events = fields.List(fields.Nested(ChangeSchema))
    cursor = fields.Integer(metadata={"description": "ask with ?after=<cursor> next time"})
    has_more = fields.Boolean(metadata={"description": "true: ask again at once"})


ETAG_HEADERS = {
    "ETag": {"description": "strong entity tag", "schema": {"type": "string"}},
}
CONDITIONAL = {
    "parameters": [
        {
            "in": "header",
            "name": "If-None-Match",
            "required": False,
            "schema": {"type": "string"},
            "description": "`*` or a list of entity tags; a match answers 304 without a body",
        }
    ]
}


@blp.route("/published")
class Published(MethodView):
    @blp.arguments(OnQuerySchema, location="query")
    @blp.response(200, PublishedSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The standards in force, each with key, version, hash and effective date"""
        distribution.require_reader(current_actor())
        on = query.get("on") or dt.date.today()
        return page_of(distribution.in_force_query(on), pagination_parameters)


@blp.route("/published/<key>")
class PublishedManifest(MethodView):
    @blp.arguments(OnQuerySchema, location="query")
    @blp.doc(**CONDITIONAL)
    @blp.response(200, ManifestSchema, headers=ETAG_HEADERS)
    @blp.alt_response(304, description="not modified: the ETag matched", headers=ETAG_HEADERS)
    def get(self, query, key):
        """The manifest of the version in force: checkpoints, deadlines, indicators, roles"""
        version = distribution.published_in_force(db.session, current_actor(), key, query.get("on"))
        manifest = distribution.manifest_of(db.session, version)
        body = json.dumps(manifest, ensure_ascii=False).encode("utf-8")
        return conditional(body, distribution.manifest_etag(manifest), "application/json")


@blp.route("/published/<key>/bpmn")
class PublishedBpmn(MethodView):
    @blp.arguments(OnQuerySchema, location="query")
    @blp.doc(**CONDITIONAL)
    @blp.response(
        200, description="the BPMN file", content_type="application/xml", headers=ETAG_HEADERS
    )
    @blp.alt_response(304, description="not modified: the ETag matched", headers=ETAG_HEADERS)
    def get(self, query, key):
        """The BPMN of the version in force (ETag: its SHA-256)"""
        version = distribution.published_in_force(db.session, current_actor(), key, query.get("on"))
        return conditional(
            version.bpmn,
            version.sha256,
            "application/xml",
            **{"X-Etalon-Version": str(version.number)},
        )


@blp.route("/changes")
class Changes(MethodView):
    @blp.arguments(ChangesQuerySchema, location="query")
    @blp.response(200, ChangePageSchema)
    def get(self, query):
        """Publications and withdrawals after a cursor, oldest first (400: unknown cursor)"""
        cursor = distribution.parse_cursor(query["after"])
        page = distribution.changes_after(db.session, current_actor(), cursor, query["limit"])
        return {
            "events": [distribution.event_payload(e) for e in page.events],
            "cursor": page.cursor,
            "has_more": page.has_more,
        }
