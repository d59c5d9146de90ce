"""Deviations found by the detectors, the detectors and their settings, runs on demand and the
effectiveness report."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from api.assignments import AssignmentSchema
from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from engine import loop_jobs  # noqa: F401  (registers the loop's worker jobs)
from engine.access import in_scope, require_role, require_unit
from engine.assignments import READERS
from engine.detectors import configs
from engine.detectors.runner import DETECTORS, run_detectors
from engine.effectiveness import effectiveness_report
from engine.errors import NotFound
from engine.escalation import subject_assignments
from engine.org import get_unit
from models import Deviation, DeviationStatus, Unit, utcnow

URL = "/deviations"
blp = Blueprint("deviations", __name__, description="Deviations, detectors, effectiveness")


class DeviationSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    detector = fields.String()
    standard_key = fields.String()
    indicator_id = fields.String()
    unit_id = fields.Integer()
    unit_code = fields.Function(lambda d: d.unit.code)
    person_login = fields.String(allow_none=True)
    status = fields.String()
    title = fields.String()
    description = fields.String()
    figures = fields.Dict()
    cases = fields.List(fields.Raw())
    actions = fields.List(fields.String())
    escalation_level = fields.Integer()
    before_value = fields.Float(allow_none=True)
    after_value = fields.Float(allow_none=True)
    effective = fields.Boolean(allow_none=True)
    detected_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    recovered_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class DeviationDetailSchema(DeviationSchema):
    assignments = fields.List(fields.Nested(AssignmentSchema))


class DeviationQuerySchema(Schema):
    status = fields.Enum(DeviationStatus, by_value=True)
    detector = fields.String()
    standard = fields.String()


class DetectRequestSchema(Schema):
    detectors = fields.List(fields.String(), load_default=None)
    standard = fields.String(load_default=None)
    now = fields.AwareDateTime(
        load_default=None, metadata={"description": "as of (default: now), e.g. to replay data"}
    )


class DetectorRunSchema(Schema):
    detector = fields.String()
    standard = fields.String()
    findings = fields.Integer()
    opened = fields.Integer()
    confirmed = fields.Integer()
    recovered = fields.Integer()
    reopened = fields.Integer()
    assignments = fields.Integer()


class DetectorSchema(Schema):
    name = fields.String()
    label = fields.String()
    defaults = fields.Dict()


class DetectorConfigSchema(Schema):
    id = fields.Integer(dump_only=True)
    detector = fields.String(required=True)
    standard_key = fields.String(load_default="", validate=validate.Length(max=200))
    indicator_id = fields.String(load_default="", validate=validate.Length(max=200))
    enabled = fields.Boolean(load_default=True)
    thresholds = fields.Dict(load_default=dict)
    schedule = fields.String(
        load_default="", metadata={"description": '"daily HH:MM" or "every N minutes"'}
    )
    recipient_role = fields.String(load_default="", validate=validate.Length(max=100))
    updated_by = fields.String(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class EffectivenessQuerySchema(Schema):
    unit_id = fields.Integer()


def _visible(actor):
    require_role(actor, *READERS)
    unit_path = select(Unit.path).where(Unit.id == Deviation.unit_id).scalar_subquery()
    query = select(Deviation).order_by(Deviation.id.desc())
    return query if actor.is_system else query.where(in_scope(actor, unit_path, *READERS))


@blp.route("")
class Deviations(MethodView):
    @blp.arguments(DeviationQuerySchema, location="query")
    @blp.response(200, DeviationSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Deviations of the units in my scope (managers, auditors, administrators)"""
        select_ = _visible(current_actor())
        if "status" in query:
            select_ = select_.where(Deviation.status == query["status"])
        if "detector" in query:
            select_ = select_.where(Deviation.detector == query["detector"])
        if "standard" in query:
            select_ = select_.where(Deviation.standard_key == query["standard"])
        return page_of(select_, pagination_parameters)


@blp.route("/<int:deviation_id>")
class DeviationItem(MethodView):
    @blp.response(200, DeviationDetailSchema)
    def get(self, deviation_id):
        """One deviation with its figures, cases, actions and assignments"""
        actor = current_actor()
        require_role(actor, *READERS)
        deviation = db.session.get(Deviation, deviation_id)
        if deviation is None:
            raise NotFound("Deviation not found.")
        require_unit(actor, deviation.unit, *READERS, what="Deviation")
        deviation.assignments = subject_assignments(db.session, deviation)
        return deviation


@blp.route("/detect")
class Detect(MethodView):
    @blp.arguments(DetectRequestSchema)
    @blp.response(200, DetectorRunSchema(many=True))
    def post(self, data):
        """Run detectors on demand (administrators, methodologists)"""
        actor = current_actor()
        require_role(actor, *configs.EDITORS)
        runs = run_detectors(
            db.session,
            actor,
            now=data["now"] or utcnow(),
            detectors=data["detectors"],
            standard_key=data["standard"],
        )
        return [run.to_dict() for run in runs]


@blp.route("/detectors")
class Detectors(MethodView):
    @blp.response(200, DetectorSchema(many=True))
    def get(self):
        """The detectors and their default thresholds"""
        require_role(current_actor(), *configs.EDITORS, *READERS)
        return [
            {"name": s.name, "label": s.label, "defaults": dict(s.defaults)}
            for s in DETECTORS.values()
        ]


@blp.route("/configs")
class DetectorConfigs(MethodView):
    @blp.response(200, DetectorConfigSchema(many=True))
    def get(self):
        """Detector settings rows (defaults apply where there is none)"""
        return list(db.session.scalars(configs.visible_configs(current_actor())))

    @blp.arguments(DetectorConfigSchema)
    @blp.response(200, DetectorConfigSchema)
    def put(self, data):
        """Create or replace the settings of a detector for a standard and indicator"""
        return configs.set_detector_config(db.session, current_actor(), **data)


@blp.route("/effectiveness")
class Effectiveness(MethodView):
    @blp.arguments(EffectivenessQuerySchema, location="query")
    @blp.response(200)
    def get(self, query):
        """Per unit: assignments issued, closed, escalated; indicators before and after"""
        actor = current_actor()
        unit = get_unit(db.session, actor, query["unit_id"], *READERS) if query else None
        rows = effectiveness_report(db.session, actor, now=utcnow(), unit=unit)
        return [row.to_dict() for row in rows]
