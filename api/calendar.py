"""The production calendar (производственный календарь) the engine counts working time on."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import INCLUDE, Schema, fields

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint
from engine import calendar_store

URL = "/calendar"
blp = Blueprint("calendar", __name__, description="Production calendar")


class DaySchema(Schema):
    date = fields.String(required=True, metadata={"description": "YYYY-MM-DD"})
    kind = fields.String(required=True, metadata={"description": "holiday, working or short"})
    name = fields.String(load_default="")


class CalendarSchema(Schema):
    class Meta:
        unknown = INCLUDE  # `source`, `note` of the bundled files are free text

    year = fields.Integer(metadata={"description": "taken from the URL when absent"})
    source = fields.String(dump_only=True, metadata={"description": "database or bundled"})
    days = fields.List(fields.Dict(), required=True)


class CalendarOutSchema(Schema):
    year = fields.Integer()
    source = fields.String()
    days = fields.List(fields.Nested(DaySchema))


@blp.route("/<int:year>")
class CalendarYear(MethodView):
    @blp.response(200, CalendarOutSchema)
    def get(self, year):
        """Get a year: the loaded one, or the bundled one"""
        return calendar_store.get_calendar_year(db.session, year).to_dict()

    @blp.arguments(CalendarSchema)
    @blp.response(200, CalendarOutSchema)
    def put(self, data, year):
        """Load a year (administrators of the federation); replaces what was loaded"""
        result = calendar_store.load_calendar_year(db.session, current_actor(), data, year=year)
        return result.to_dict()
