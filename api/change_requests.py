"""Change requests for standards whose indicator is red in several regions: list, read, check
on demand, accept (a linked draft version is created) or reject."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from engine.access import require_role
from engine.detectors.configs import EDITORS
from models import ChangeRequestStatus, utcnow
from standards import change_requests

URL = "/change-requests"
blp = Blueprint("change_requests", __name__, description="Change requests for standards")


class ChangeRequestSchema(Schema):
    id = fields.Integer()
    standard_key = fields.Function(lambda r: r.standard.key)
    version_number = fields.Function(lambda r: r.version.number)
    indicator_id = fields.String()
    status = fields.String()
    title = fields.String()
    evidence = fields.Dict()
    opened_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decision_comment = fields.String()
    draft_version_number = fields.Function(
        lambda r: r.draft_version.number if r.draft_version else None
    )


class ChangeRequestQuerySchema(Schema):
    status = fields.Enum(ChangeRequestStatus, by_value=True)


class ChangeRequestCheckSchema(Schema):
    standard = fields.String(load_default=None)
    now = fields.AwareDateTime(load_default=None)


class ChangeRequestDecisionSchema(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


@blp.route("")
class ChangeRequests(MethodView):
    @blp.arguments(ChangeRequestQuerySchema, location="query")
    @blp.response(200, ChangeRequestSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Change requests of the standards I review"""
        select_ = change_requests.visible_change_requests(current_actor(), query.get("status"))
        return page_of(select_, pagination_parameters)


@blp.route("/check")
class Check(MethodView):
    @blp.arguments(ChangeRequestCheckSchema)
    @blp.response(200, ChangeRequestSchema(many=True))
    def post(self, data):
        """Look for indicators red in several regions now and open change requests"""
        actor = current_actor()
        require_role(actor, *EDITORS)
        return change_requests.open_change_requests(
            db.session, actor, data["now"] or utcnow(), data["standard"]
        )


@blp.route("/<int:request_id>")
class ChangeRequestItem(MethodView):
    @blp.response(200, ChangeRequestSchema)
    def get(self, request_id):
        """One change request with its evidence"""
        return change_requests.get_change_request(db.session, current_actor(), request_id)


@blp.route("/<int:request_id>/accept")
class Accept(MethodView):
    @blp.arguments(ChangeRequestDecisionSchema)
    @blp.response(200, ChangeRequestSchema)
    def post(self, data, request_id):
        """Accept: a new draft version, a copy of the version in force, linked to the request"""
        return change_requests.decide_change_request(
            db.session,
            current_actor(),
            request_id,
            accept=True,
            comment=data["comment"],
            now=utcnow(),
        )


@blp.route("/<int:request_id>/reject")
class Reject(MethodView):
    @blp.arguments(ChangeRequestDecisionSchema)
    @blp.response(200, ChangeRequestSchema)
    def post(self, data, request_id):
        """Reject the change request"""
        return change_requests.decide_change_request(
            db.session,
            current_actor(),
            request_id,
            accept=False,
            comment=data["comment"],
            now=utcnow(),
        )
