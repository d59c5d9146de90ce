"""Liveness with a database round trip."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields
from sqlalchemy import text

from api.auth import public
from api.db import db
from api.errors import error_response
from api.pagination import Blueprint

URL = "/health"
blp = Blueprint("health", __name__, description="Service health")


class HealthSchema(Schema):
    status = fields.String(required=True)
    database = fields.String(required=True)


@blp.route("")
class Health(MethodView):
    @public
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, description="The database does not answer")
    def get(self):
        """Check that the service and its database answer"""
        try:
            db.session.execute(text("SELECT 1"))
        except Exception as exc:  # any driver error means unhealthy
            return error_response(503, "unavailable", f"Database unavailable: {exc}")
        return {"status": "ok", "database": db.engine.dialect.name}
