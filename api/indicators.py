"""Auditors' API: indicator values with corridor statuses, time series, CSV export,
drill-down to cases, the integrated quality index, case conformance and stage heatmaps."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from engine import heatmap, indicator_queries
from engine.indicator_queries import IndicatorFilter
from engine.indicators import GRANULARITIES, LEVELS

URL = "/indicators"
blp = Blueprint(
    "indicators", __name__, description="Indicators, quality index and conformance (auditors)"
)


class QuerySchema(Schema):
    standard = fields.String(metadata={"description": "standard key"})
    indicator = fields.String(metadata={"description": "indicator id (stage:CP_X for stages)"})
    unit_id = fields.Integer(metadata={"description": "the subtree to read (default: my scope)"})
    level = fields.String(
        validate=validate.OneOf(LEVELS),
        metadata={"description": "group by this unit level (default: the unit's, or region)"},
    )
    granularity = fields.String(load_default="month", validate=validate.OneOf(GRANULARITIES))
    period_from = fields.Date(data_key="from", metadata={"description": "first period start"})
    period_to = fields.Date(data_key="to", metadata={"description": "last period start"})
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class IndicatorValueSchema(Schema):
    standard_key = fields.String()
    indicator_id = fields.String()
    name = fields.String()
    kind = fields.String()
    measure = fields.String(allow_none=True, metadata={"description": "unit of the value"})
    unit_id = fields.Integer()
    unit_code = fields.String()
    unit_name = fields.String()
    unit_level = fields.String()
    granularity = fields.String()
    period_start = fields.Date()
    count = fields.Integer(metadata={"description": "observations behind the value"})
    value = fields.Float(allow_none=True)
    status = fields.String(allow_none=True, metadata={"description": "green, amber or red"})
    target = fields.Float(allow_none=True)
    direction = fields.String(allow_none=True)
    green = fields.Float(allow_none=True)
    red = fields.Float(allow_none=True)


class SeriesQuerySchema(Schema):
    standard = fields.String(required=True)
    indicator = fields.String(required=True)
    unit_id = fields.Integer(required=True)
    granularity = fields.String(load_default="month", validate=validate.OneOf(GRANULARITIES))
    period_from = fields.Date(data_key="from")
    period_to = fields.Date(data_key="to")


class PointSchema(Schema):
    period_start = fields.Date()
    value = fields.Float(allow_none=True)
    status = fields.String(allow_none=True)
    count = fields.Integer()


class SeriesSchema(Schema):
    standard_key = fields.String()
    indicator_id = fields.String()
    unit_id = fields.Integer()
    granularity = fields.String()
    points = fields.List(fields.Nested(PointSchema))


class DrillDownQuerySchema(Schema):
    standard = fields.String(required=True)
    indicator = fields.String(required=True)
    unit_id = fields.Integer(required=True)
    granularity = fields.String(load_default="month", validate=validate.OneOf(GRANULARITIES))
    period_start = fields.Date(required=True)


class ObservationSchema(Schema):
    case_id = fields.String()
    case_trace_id = fields.Integer()
    office_id = fields.Integer()
    day = fields.Date()
    value = fields.Float(allow_none=True)
    within = fields.Boolean(allow_none=True)
    flagged = fields.Boolean(allow_none=True)
    actor_login = fields.String(allow_none=True)


class IndexValueSchema(Schema):
    standard_key = fields.String()
    unit_id = fields.Integer()
    unit_code = fields.String()
    unit_name = fields.String()
    unit_level = fields.String()
    granularity = fields.String()
    period_start = fields.Date()
    score = fields.Float(allow_none=True, metadata={"description": "0..100"})
    components = fields.List(
        fields.Dict(), metadata={"description": "{indicator_id, value, status, score, weight}"}
    )
    computed_at = fields.DateTime()


class ConformanceQuerySchema(Schema):
    standard = fields.String()
    unit_id = fields.Integer()
    deviating = fields.Boolean(metadata={"description": "fitness < 1 or a deadline breach"})


class CaseTraceSchema(Schema):
    id = fields.Integer()
    source = fields.String()
    standard_key = fields.String()
    case_id = fields.String()
    version_id = fields.Integer(allow_none=True)
    office_id = fields.Integer(allow_none=True)
    started_at = fields.DateTime(allow_none=True)
    last_at = fields.DateTime(allow_none=True)
    fitness = fields.Float(allow_none=True)
    skipped = fields.List(fields.String())
    out_of_order = fields.List(fields.String())
    breaches = fields.List(fields.String())


class CaseTraceDetailSchema(CaseTraceSchema):
    events = fields.List(fields.List(fields.String()), metadata={"description": "[cp, at, kind]"})


class HeatmapQuerySchema(Schema):
    standard = fields.String(required=True)
    metric = fields.String(load_default="duration", validate=validate.OneOf(heatmap.METRICS))
    unit_id = fields.Integer()
    version = fields.Integer(metadata={"description": "version number (default: in force)"})
    period_from = fields.Date(data_key="from")
    period_to = fields.Date(data_key="to")


def _filter(query: dict[str, Any]) -> IndicatorFilter:
    return IndicatorFilter(
        standard_key=query.get("standard"),
        indicator_id=query.get("indicator"),
        unit_id=query.get("unit_id"),
        level=query.get("level"),
        granularity=query["granularity"],
        period_from=query.get("period_from"),
        period_to=query.get("period_to"),
    )


def csv_response(rows: list[dict[str, Any]], columns: list[str], name: str) -> Response:
    """Rows as a CSV attachment (UTF-8 with a BOM, so spreadsheets read Cyrillic right)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@blp.route("")
class Indicators(MethodView):
    @blp.arguments(QuerySchema, location="query")
    @blp.response(200, IndicatorValueSchema(many=True))
    @blp.alt_response(200, description="?format=csv", content_type="text/csv")
    def get(self, query):
        """Indicator values with corridor status, grouped by unit level and period (auditors,
        managers; my scope). A report, not paginated: narrow it with filters"""
        values = indicator_queries.query_indicators(db.session, current_actor(), _filter(query))
        if query["format"] == "csv":
            columns = list(IndicatorValueSchema().fields)
            return csv_response([v.to_dict() for v in values], columns, "indicators")
        return values


@blp.route("/series")
class Series(MethodView):
    @blp.arguments(SeriesQuerySchema, location="query")
    @blp.response(200, SeriesSchema)
    def get(self, query):
        """Time series of one indicator for one unit"""
        values = indicator_queries.query_indicators(
            db.session, current_actor(), _filter({**query, "level": None})
        )
        points = [v for v in values if v.unit_id == query["unit_id"]]
        return {
            "standard_key": query["standard"],
            "indicator_id": query["indicator"],
            "unit_id": query["unit_id"],
            "granularity": query["granularity"],
            "points": [v.to_dict() for v in points],
        }


@blp.route("/cases")
class DrillDown(MethodView):
    @blp.arguments(DrillDownQuerySchema, location="query")
    @blp.response(200, ObservationSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """The cases behind one value (indicator, unit, period)"""
        select = indicator_queries.drill_down(
            db.session,
            current_actor(),
            standard_key=query["standard"],
            indicator_id=query["indicator"],
            unit_id=query["unit_id"],
            granularity=query["granularity"],
            period_start=query["period_start"],
        )
        return page_of(select, pagination_parameters)


@blp.route("/quality-index")
class QualityIndex(MethodView):
    @blp.arguments(QuerySchema, location="query")
    @blp.response(200, IndexValueSchema(many=True))
    @blp.alt_response(200, description="?format=csv", content_type="text/csv")
    def get(self, query):
        """The integrated quality index per service, unit and period, with its components"""
        values = indicator_queries.query_quality_index(db.session, current_actor(), _filter(query))
        if query["format"] == "csv":
            columns = [c for c in IndexValueSchema().fields if c != "components"]
            return csv_response(values, columns, "quality-index")
        return values


@blp.route("/conformance")
class Conformance(MethodView):
    @blp.arguments(ConformanceQuerySchema, location="query")
    @blp.response(200, CaseTraceSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """Cases with their conformance to the standard version (skipped, out of order,
        deadline breaches, fitness)"""
        select = indicator_queries.query_case_traces(
            db.session,
            current_actor(),
            standard_key=query.get("standard"),
            unit_id=query.get("unit_id"),
            deviating=query.get("deviating"),
        )
        return page_of(select, pagination_parameters)


@blp.route("/conformance/<int:trace_id>")
class ConformanceOfCase(MethodView):
    @blp.response(200, CaseTraceDetailSchema)
    def get(self, trace_id):
        """One case: its trace and conformance"""
        return indicator_queries.get_case_trace(db.session, current_actor(), trace_id)


@blp.route("/heatmap")
class Heatmap(MethodView):
    @blp.arguments(HeatmapQuerySchema, location="query")
    @blp.response(200, description="the diagram with overlays", content_type="image/svg+xml")
    def get(self, query):
        """A standard's diagram coloured by average stage duration or deadline-breach rate"""
        svg = heatmap.heatmap_svg(
            db.session,
            current_actor(),
            standard_key=query["standard"],
            metric=query["metric"],
            unit_id=query.get("unit_id"),
            period_from=query.get("period_from"),
            period_to=query.get("period_to"),
            version_number=query.get("version"),
        )
        return Response(svg, mimetype="image/svg+xml")
