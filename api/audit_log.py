"""The audit log, for administrators and auditors."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import current_actor
from api.pagination import Blueprint, page_of
from engine import audit

URL = "/audit"
blp = Blueprint("audit", __name__, description="Append-only audit log")


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_login = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    unit_id = fields.Integer(allow_none=True)
    details = fields.Dict()


class AuditQuerySchema(Schema):
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    actor_login = fields.String()
    since = fields.AwareDateTime(default_timezone=None)
    until = fields.AwareDateTime(default_timezone=None)


@blp.route("")
class AuditEntries(MethodView):
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Read the audit log in my scope, newest first (administrators, auditors)"""
        filters = audit.AuditFilter(**query)
        return page_of(audit.query_entries(current_actor(), filters), pagination_parameters)
