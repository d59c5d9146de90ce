"""Org units: the federation → region → office → department tree."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from engine import org
from models import UnitLevel

URL = "/units"
blp = Blueprint("units", __name__, description="Org structure units")


class UnitSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=validate.Length(1, 64))
    name = fields.String(required=True, validate=validate.Length(1, 300))
    level = fields.Enum(UnitLevel, by_value=True, required=True)
    parent_id = fields.Integer(allow_none=True, load_default=None)
    path = fields.String(dump_only=True)


class UnitUpdateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 300))


class UnitQuerySchema(Schema):
    level = fields.Enum(UnitLevel, by_value=True)
    parent_id = fields.Integer()


@blp.route("")
class Units(MethodView):
    @blp.arguments(UnitQuerySchema, location="query")
    @blp.response(200, UnitSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List the units in my scope"""
        return page_of(
            org.visible_units(current_actor(), query.get("level"), query.get("parent_id")),
            pagination_parameters,
        )

    @blp.arguments(UnitSchema)
    @blp.response(201, UnitSchema)
    def post(self, data):
        """Create a unit (administrators, under a unit of their scope)"""
        actor = current_actor()
        parent = None
        if data["parent_id"] is not None:
            parent = org.get_unit(db.session, actor, data["parent_id"], "administrator")
        return org.create_unit(
            db.session,
            actor,
            code=data["code"],
            name=data["name"],
            level=data["level"],
            parent=parent,
        )


@blp.route("/<int:unit_id>")
class UnitById(MethodView):
    @blp.response(200, UnitSchema)
    def get(self, unit_id):
        """Get a unit"""
        return org.get_unit(db.session, current_actor(), unit_id)

    @blp.arguments(UnitUpdateSchema)
    @blp.response(200, UnitSchema)
    def patch(self, data, unit_id):
        """Rename a unit (administrators)"""
        actor = current_actor()
        unit = org.get_unit(db.session, actor, unit_id, "administrator")
        return org.update_unit(db.session, actor, unit, name=data["name"])
