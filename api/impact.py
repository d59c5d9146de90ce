"""Impact of a version (for reviewers, with the version under review) and study of published
versions: issue by hand (managers), completion per unit."""

from __future__ import annotations

import datetime as dt

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.assignments import AssignmentSchema
from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint
from engine import org
from engine.access import require_role
from engine.assignments import READERS
from engine.errors import NotFound
from models import Person
from standards import registry, study
from standards.impact_review import version_impact

URL = "/standards"
blp = Blueprint("impact", __name__, description="Impact of changes and study assignments")


class ImpactQuerySchema(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "text"]))


class StudyIssueSchema(Schema):
    unit_id = fields.Integer(required=True)
    role = fields.String(metadata={"description": "job role: its holders in the unit"})
    person_id = fields.Integer(metadata={"description": "one person of the unit"})
    due_at = fields.AwareDateTime(metadata={"description": "default: 5 working days"})
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class CompletionQuerySchema(Schema):
    unit_id = fields.Integer()


def _standard(key: str):
    return registry.get_standard(db.session, current_actor(), key)


@blp.route("/<key>/versions/<int:number>/impact")
class Impact(MethodView):
    @blp.arguments(ImpactQuerySchema, location="query")
    @blp.response(200)
    def get(self, query, key, number):
        """Ranked, explained impact of a version against the version in force"""
        report = version_impact(db.session, current_actor(), _standard(key), number)
        if query["format"] == "text":
            return Response(report.to_text(), mimetype="text/plain; charset=utf-8")
        return report.to_dict()


@blp.route("/<key>/versions/<int:number>/study")
class Study(MethodView):
    @blp.arguments(CompletionQuerySchema, location="query")
    @blp.response(200)
    def get(self, query, key, number):
        """Completion of the study of a version, per unit (managers, auditors, administrators)"""
        actor = current_actor()
        require_role(actor, *READERS)
        unit = None
        if "unit_id" in query:
            unit = org.get_unit(db.session, actor, query["unit_id"], *READERS)
        rows = study.study_completion(db.session, actor, _standard(key), number, unit)
        return {"units": [row.to_dict() for row in rows]}

    @blp.arguments(StudyIssueSchema)
    @blp.response(201, AssignmentSchema(many=True))
    def post(self, data, key, number):
        """Issue study of a published version to a person, a role in a unit, or a unit"""
        actor = current_actor()
        unit = org.get_unit(db.session, actor, data["unit_id"], *study.ISSUERS)
        person = None
        if "person_id" in data:
            person = db.session.get(Person, data["person_id"])
            if person is None:
                raise NotFound("Person not found.")
        due_at: dt.datetime | None = data.get("due_at")
        return study.issue_study(
            db.session,
            actor,
            _standard(key),
            number,
            unit=unit,
            role=data.get("role"),
            person=person,
            due_at=due_at,
            comment=data["comment"],
        )
