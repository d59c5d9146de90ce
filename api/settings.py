"""Installation-wide settings: the active approval route."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint
from engine.access import require_role
from models import Role
from standards import approval

URL = "/settings"
blp = Blueprint("settings", __name__, description="Installation-wide settings")


class ApprovalRouteSchema(Schema):
    key = fields.String(required=True, metadata={"description": "key of the route standard"})
    version = fields.Integer(dump_only=True)


def _route():
    version = approval.active_route(db.session)
    return {"key": version.standard.key, "version": version.number}


@blp.route("/approval-route")
class ApprovalRoute(MethodView):
    @blp.response(200, ApprovalRouteSchema)
    def get(self):
        """The approval route new submissions take"""
        require_role(current_actor(), Role.administrator, Role.methodologist, Role.approver)
        return _route()

    @blp.arguments(ApprovalRouteSchema)
    @blp.response(200, ApprovalRouteSchema)
    def put(self, data):
        """Switch to another published approval route (administrators)"""
        approval.set_route(db.session, current_actor(), data["key"])
        return _route()
