"""Adoption: regional systems acknowledge the version they run; a report per standard shows
which regions run which version and who lags behind the version in force."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint
from engine import org
from standards import adoption, registry

URL = "/adoption"
blp = Blueprint("adoption", __name__, description="Which version each region runs")


class AcknowledgeSchema(Schema):
    key = fields.String(required=True, metadata={"description": "standard key"})
    version = fields.Integer(required=True)
    unit_code = fields.String(
        load_default=None, metadata={"description": "the region; default: the caller's"}
    )


class RegionAdoptionSchema(Schema):
    unit_code = fields.String()
    unit_name = fields.String()
    version = fields.Integer(allow_none=True)
    reported_at = fields.DateTime(allow_none=True)
    status = fields.String(metadata={"description": "current | lagging | ahead | unknown"})


class AdoptionReportSchema(Schema):
    key = fields.String()
    title = fields.String()
    in_force = fields.Integer(allow_none=True)
    regions = fields.List(fields.Nested(RegionAdoptionSchema))
    lagging = fields.List(fields.String(), metadata={"description": "lagging or unknown"})


class OnSchema(Schema):
    on = fields.Date()


@blp.route("")
class Acknowledge(MethodView):
    @blp.arguments(AcknowledgeSchema)
    @blp.response(200, AdoptionReportSchema)
    def post(self, data):
        """Acknowledge the version my region runs (regional systems, own region only)"""
        actor = current_actor()
        unit = org.unit_by_code(db.session, data["unit_code"]) if data["unit_code"] else None
        standard = registry.get_standard(db.session, actor, data["key"])
        adoption.acknowledge_version(db.session, actor, standard, data["version"], unit=unit)
        return adoption.adoption_report(db.session, actor, standard)


@blp.route("/<key>")
class Report(MethodView):
    @blp.arguments(OnSchema, location="query")
    @blp.response(200, AdoptionReportSchema)
    def get(self, query, key):
        """Per region in my scope: the version it runs against the one in force"""
        actor = current_actor()
        standard = registry.get_standard(db.session, actor, key)
        return adoption.adoption_report(db.session, actor, standard, query.get("on"))
