"""Bulk import of the org structure."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint
from engine import org
from engine.access import ADMIN, require_role

URL = "/org"
blp = Blueprint("org", __name__, description="Bulk import of units, people and grants")


class OrgImportSchema(Schema):
    units = fields.List(fields.Dict(), load_default=list)
    people = fields.List(fields.Dict(), load_default=list)


class ImportSummarySchema(Schema):
    units_created = fields.Integer()
    people_created = fields.Integer()
    grants_created = fields.Integer()


@blp.route("/import")
class OrgImport(MethodView):
    @blp.arguments(OrgImportSchema)
    @blp.response(200, ImportSummarySchema)
    def post(self, data):
        """Import units, people and grants; existing codes and logins are kept (administrators)"""
        actor = current_actor()
        require_role(actor, *ADMIN)
        return org.import_org(db.session, actor, data).to_dict()
