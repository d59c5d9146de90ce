"""The approval of a version: submit, decide, and where it stands (with the impact report
for the approvers while it is in review)."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint
from api.standards import version_of
from models import VersionStatus
from standards import approval, impact_review

URL = "/standards"
blp = Blueprint("approval", __name__, description="Approval of versions on the approval route")


class SubmitSchema(Schema):
    comment = fields.String(
        load_default="", metadata={"description": "after a return: what was fixed"}
    )


class DecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(approval.DECISIONS))
    comment = fields.String(load_default="", validate=validate.Length(0, 10000))


class DecisionRecordSchema(Schema):
    id = fields.Integer()
    route = fields.String()
    stage = fields.String()
    stage_name = fields.String()
    role = fields.String()
    decision = fields.String()
    comment = fields.String()
    actor_login = fields.Function(lambda d: d.actor.login if d.actor else None)
    at = fields.DateTime()


class StageSchema(Schema):
    task_id = fields.Integer(attribute="id")
    node_id = fields.String()
    name = fields.String()
    role = fields.String()
    due_at = fields.DateTime(allow_none=True)


class ApprovalSchema(Schema):
    status = fields.String()
    route = fields.String(allow_none=True)
    current_stage = fields.Nested(StageSchema, allow_none=True)
    decisions = fields.List(fields.Nested(DecisionRecordSchema))
    impact = fields.Dict(
        allow_none=True,
        metadata={
            "description": "while in review: the impact report against the version in "
            "force, for the approvers"
        },
    )


def _approval_state(version):
    impact = None
    if version.status == VersionStatus.in_review:
        impact = impact_review.impact_of(db.session, version).to_dict()
    return {
        "status": str(version.status),
        "route": version.approval_route,
        "current_stage": approval.current_stage(db.session, version),
        "decisions": approval.decisions_of(db.session, current_actor(), version),
        "impact": impact,
    }


@blp.route("/<key>/versions/<int:number>/submit")
class Submit(MethodView):
    @blp.arguments(SubmitSchema)
    @blp.response(200, ApprovalSchema)
    def post(self, data, key, number):
        """Submit a draft for approval (or resubmit it after a return)"""
        version = version_of(key, number)
        approval.submit_version(db.session, current_actor(), version, comment=data["comment"])
        return _approval_state(version)


@blp.route("/<key>/versions/<int:number>/approval")
class Approval(MethodView):
    @blp.response(200, ApprovalSchema)
    def get(self, key, number):
        """Where the version stands on its approval route, with the decision history"""
        return _approval_state(version_of(key, number))


@blp.route("/<key>/versions/<int:number>/decision")
class Decision(MethodView):
    @blp.arguments(DecisionSchema)
    @blp.response(200, ApprovalSchema)
    def post(self, data, key, number):
        """Approve or return the version at its current stage (the stage's role holder)"""
        version = version_of(key, number)
        approval.decide(db.session, current_actor(), version, **data)
        return _approval_state(version)
