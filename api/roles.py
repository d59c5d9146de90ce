"""The per-role view (what a job role does across the standards in force) and full-text
search over standards, their elements and the knowledge base."""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint
from standards import roles_view, search
from standards.distribution import require_reader

URL = ""
blp = Blueprint("roles", __name__, description="Per-role view and search of the standards in force")


class OnSchema(Schema):
    on = fields.Date(metadata={"description": "default today"})


class RoleSchema(Schema):
    code = fields.String()
    name = fields.String(allow_none=True)


class DocumentSchema(Schema):
    attachment_id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    filename = fields.String()
    content_type = fields.String()
    url = fields.String()


class OperationSchema(Schema):
    standard_key = fields.String()
    standard_title = fields.String()
    version = fields.Integer()
    process_id = fields.String()
    process_name = fields.String(allow_none=True)
    node_id = fields.String()
    name = fields.String(allow_none=True)
    type = fields.String()
    lane = fields.String(allow_none=True)
    result = fields.String(allow_none=True, metadata={"description": "expected result"})
    documentation = fields.String(allow_none=True)
    deadline = fields.Dict(allow_none=True, metadata={"description": "iso, calendar"})
    forms = fields.List(fields.Dict())
    technology_cards = fields.List(fields.Dict())
    checkpoints = fields.List(fields.Dict())
    calls = fields.String(allow_none=True, metadata={"description": "standard called"})
    documents = fields.List(fields.Nested(DocumentSchema))


class RoleViewSchema(Schema):
    code = fields.String()
    name = fields.String(allow_none=True)
    on = fields.Date()
    standards = fields.List(fields.String())
    operations = fields.List(fields.Nested(OperationSchema))


class SearchQuerySchema(Schema):
    q = fields.String(required=True, validate=validate.Length(1, 500))
    on = fields.Date()
    kind = fields.String(validate=validate.OneOf(["standard", "element", "attachment"]))
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


class SearchHitSchema(Schema):
    standard_key = fields.String()
    standard_title = fields.String()
    version = fields.Integer()
    kind = fields.String()
    element_id = fields.String(allow_none=True)
    attachment_id = fields.Integer(allow_none=True)
    title = fields.String()
    snippet = fields.String(metadata={"description": "matched words inside <mark>…</mark>"})
    rank = fields.Float()


@blp.route("/roles")
class Roles(MethodView):
    @blp.arguments(OnSchema, location="query")
    @blp.response(200, RoleSchema(many=True))
    def get(self, query):
        """Job roles of the standards in force"""
        require_reader(current_actor())
        on = query.get("on") or dt.date.today()
        roles = roles_view.known_roles(db.session, on)
        return [{"code": code, "name": name} for code, name in sorted(roles.items())]


@blp.route("/roles/<role>")
class RoleView(MethodView):
    @blp.arguments(OnSchema, location="query")
    @blp.response(200, RoleViewSchema)
    def get(self, query, role):
        """Everything a role does (by code or Russian name): operations, results, forms,
        deadlines, technology cards and documents"""
        return dataclasses.asdict(
            roles_view.role_view(db.session, current_actor(), role, query.get("on"))
        )


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(SearchQuerySchema, location="query")
    @blp.response(200, SearchHitSchema(many=True))
    def get(self, query):
        """Full-text search (Russian morphology) over the standards in force and their documents"""
        hits = search.search(
            db.session,
            current_actor(),
            query["q"],
            on=query.get("on"),
            kind=query.get("kind"),
            limit=query["limit"],
        )
        return [dataclasses.asdict(hit) for hit in hits]
