"""Corrective assignments (задания на улучшение работы): mine and my units', acknowledge,
comment, close (effective when the indicator has recovered), escalate one level up."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.assignments import AssignmentSchema
from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from engine import (
    assignments,
    corrective,
    escalation,
    loop_jobs,  # noqa: F401  (registers the loop's worker jobs)
)
from engine.access import require_role
from engine.org import get_unit
from models import Assignment, AssignmentStatus, utcnow

URL = "/corrective"
blp = Blueprint("corrective", __name__, description="Corrective assignments about deviations")


class CorrectiveQuerySchema(Schema):
    scope = fields.String(
        load_default="all",
        validate=validate.OneOf(("mine", "unit", "all")),
        metadata={"description": "mine: my own; unit: my units' (managers, auditors); all: both"},
    )
    status = fields.Enum(AssignmentStatus, by_value=True)
    unit_id = fields.Integer()


class CorrectiveCommentSchema(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class CorrectiveNoteSchema(Schema):
    comment = fields.String(required=True, validate=validate.Length(1, 2000))


class EscalationResultSchema(Schema):
    escalated = fields.Nested(AssignmentSchema)
    issued = fields.List(fields.Nested(AssignmentSchema))


@blp.route("")
class CorrectiveAssignments(MethodView):
    @blp.arguments(CorrectiveQuerySchema, location="query")
    @blp.response(200, AssignmentSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Corrective assignments: mine, my units' or both"""
        actor = current_actor()
        unit = None
        if "unit_id" in query:
            unit = get_unit(db.session, actor, query["unit_id"], *assignments.READERS)
        if query["scope"] == "unit":
            require_role(actor, *assignments.READERS)
        filters = assignments.AssignmentFilter(
            kind=corrective.CORRECTIVE,
            status=query.get("status"),
            mine=query["scope"] == "mine",
            unit=unit,
        )
        select_ = assignments.visible_assignments(actor, filters)
        if query["scope"] == "unit":
            select_ = select_.where(Assignment.person_id != actor.person_id)
        return page_of(select_, pagination_parameters)


@blp.route("/<int:assignment_id>")
class CorrectiveAssignment(MethodView):
    @blp.response(200, AssignmentSchema)
    def get(self, assignment_id):
        """One corrective assignment with its deviation's text and history"""
        assignment = assignments.get_assignment(db.session, current_actor(), assignment_id)
        corrective.deviation_of(db.session, assignment)
        return assignment


@blp.route("/<int:assignment_id>/acknowledge")
class Acknowledge(MethodView):
    @blp.arguments(CorrectiveCommentSchema)
    @blp.response(200, AssignmentSchema)
    def post(self, data, assignment_id):
        """Acknowledge a corrective assignment (its assignee)"""
        actor = current_actor()
        assignment = assignments.get_assignment(db.session, actor, assignment_id)
        corrective.deviation_of(db.session, assignment)
        return assignments.change_status(
            db.session, actor, assignment, AssignmentStatus.acknowledged, comment=data["comment"]
        )


@blp.route("/<int:assignment_id>/comment")
class Comment(MethodView):
    @blp.arguments(CorrectiveNoteSchema)
    @blp.response(200, AssignmentSchema)
    def post(self, data, assignment_id):
        """Add a comment to the assignment's history (assignee, readers of its unit)"""
        return corrective.comment_on(db.session, current_actor(), assignment_id, data["comment"])


@blp.route("/<int:assignment_id>/close")
class Close(MethodView):
    @blp.arguments(CorrectiveCommentSchema)
    @blp.response(200, AssignmentSchema)
    def post(self, data, assignment_id):
        """Close a corrective assignment: effective when its indicator has recovered"""
        return corrective.close_corrective(
            db.session, current_actor(), assignment_id, comment=data["comment"], now=utcnow()
        )


@blp.route("/<int:assignment_id>/escalate")
class Escalate(MethodView):
    @blp.arguments(CorrectiveCommentSchema)
    @blp.response(200, EscalationResultSchema)
    def post(self, data, assignment_id):
        """Escalate to the managers one level up the org tree (managers over its unit)"""
        actor = current_actor()
        issued = escalation.escalate_corrective(
            db.session, actor, assignment_id, comment=data["comment"], now=utcnow()
        )
        escalated = assignments.get_assignment(db.session, actor, assignment_id)
        return {"escalated": escalated, "issued": issued}
