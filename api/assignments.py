"""Assignments of every kind (study now; corrective assignments and change requests later):
one's own, and those of the units in one's scope; status changes with history."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from engine import assignments
from models import AssignmentStatus

URL = "/assignments"
blp = Blueprint("assignments", __name__, description="Assignments (study, corrective, …)")


class AssignmentEventSchema(Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor_login = fields.String()
    comment = fields.String()
    at = fields.DateTime()


class AssignmentSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    batch = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    title = fields.String()
    person_id = fields.Integer()
    person_login = fields.Function(lambda a: a.person.login)
    unit_id = fields.Integer()
    unit_code = fields.Function(lambda a: a.unit.code)
    target_role = fields.String(allow_none=True)
    target_unit_id = fields.Integer(allow_none=True)
    issuer_login = fields.String()
    status = fields.String()
    payload = fields.Dict()
    issued_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    history = fields.List(fields.Nested(AssignmentEventSchema), attribute="events")


class AssignmentQuerySchema(Schema):
    kind = fields.String()
    status = fields.Enum(AssignmentStatus, by_value=True)
    subject_type = fields.String()
    subject_id = fields.String()
    mine = fields.Boolean(load_default=False, metadata={"description": "only my own"})


class StatusChangeSchema(Schema):
    status = fields.Enum(
        AssignmentStatus,
        by_value=True,
        required=True,
        metadata={"description": "acknowledged, done (assignee); cancelled, escalated (managers)"},
    )
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


@blp.route("")
class Assignments(MethodView):
    @blp.arguments(AssignmentQuerySchema, location="query")
    @blp.response(200, AssignmentSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """My assignments and those of the units in my scope"""
        filters = assignments.AssignmentFilter(**query)
        return page_of(
            assignments.visible_assignments(current_actor(), filters), pagination_parameters
        )


@blp.route("/<int:assignment_id>")
class AssignmentItem(MethodView):
    @blp.response(200, AssignmentSchema)
    def get(self, assignment_id):
        """One assignment with its history"""
        return assignments.get_assignment(db.session, current_actor(), assignment_id)


@blp.route("/<int:assignment_id>/status")
class AssignmentStatusChange(MethodView):
    @blp.arguments(StatusChangeSchema)
    @blp.response(200, AssignmentSchema)
    def post(self, data, assignment_id):
        """Acknowledge, complete (confirm study), cancel or escalate an assignment"""
        actor = current_actor()
        assignment = assignments.get_assignment(db.session, actor, assignment_id)
        return assignments.change_status(
            db.session, actor, assignment, data["status"], comment=data["comment"]
        )
