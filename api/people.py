"""People (and machine identities) and their role grants."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from engine import org
from models import PersonKind

URL = ""
blp = Blueprint("people", __name__, description="People, machine identities and role grants")


class GrantSchema(Schema):
    id = fields.Integer(dump_only=True)
    role = fields.String(required=True, validate=validate.Length(1, 100))
    unit_id = fields.Integer(required=True)
    unit_code = fields.Function(lambda g: g.unit.code, dump_only=True)
    person_id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class PersonSchema(Schema):
    id = fields.Integer(dump_only=True)
    login = fields.String(required=True, validate=validate.Length(1, 100))
    name = fields.String(required=True, validate=validate.Length(1, 300))
    email = fields.Email(allow_none=True, load_default=None)
    kind = fields.Enum(PersonKind, by_value=True, load_default=PersonKind.human)
    unit_id = fields.Integer(required=True)
    is_active = fields.Boolean(dump_only=True)
    grants = fields.List(fields.Nested(GrantSchema), dump_only=True)


class PersonUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(1, 300))
    email = fields.Email(allow_none=True)
    is_active = fields.Boolean()
    unit_id = fields.Integer()


class PeopleQuerySchema(Schema):
    unit_id = fields.Integer()


class MeSchema(Schema):
    id = fields.Integer(allow_none=True)
    login = fields.String()
    kind = fields.String()
    grants = fields.List(fields.Dict())


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """Who I am and which roles I hold where"""
        actor = current_actor()
        return {
            "id": actor.person_id,
            "login": actor.login,
            "kind": actor.kind,
            "grants": [{"role": g.role, "unit_id": g.unit_id} for g in actor.grants],
        }


@blp.route("/people")
class People(MethodView):
    @blp.arguments(PeopleQuerySchema, location="query")
    @blp.response(200, PersonSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List the people in my scope (administrators)"""
        actor = current_actor()
        unit = None
        if "unit_id" in query:
            unit = org.get_unit(db.session, actor, query["unit_id"], "administrator")
        return page_of(org.visible_people(actor, unit), pagination_parameters)

    @blp.arguments(PersonSchema)
    @blp.response(201, PersonSchema)
    def post(self, data):
        """Create a person or a machine identity (administrators)"""
        actor = current_actor()
        unit = org.get_unit(db.session, actor, data["unit_id"], "administrator")
        return org.create_person(
            db.session,
            actor,
            login=data["login"],
            name=data["name"],
            unit=unit,
            email=data["email"],
            kind=data["kind"],
        )


@blp.route("/people/<int:person_id>")
class PersonById(MethodView):
    @blp.response(200, PersonSchema)
    def get(self, person_id):
        """Get a person (administrators)"""
        return org.get_person(db.session, current_actor(), person_id)

    @blp.arguments(PersonUpdateSchema)
    @blp.response(200, PersonSchema)
    def patch(self, data, person_id):
        """Change a person's name, e-mail, unit or activity (administrators)"""
        actor = current_actor()
        person = org.get_person(db.session, actor, person_id)
        unit = None
        if "unit_id" in data:
            unit = org.get_unit(db.session, actor, data["unit_id"], "administrator")
        return org.update_person(
            db.session,
            actor,
            person,
            name=data.get("name"),
            email=data.get("email"),
            is_active=data.get("is_active"),
            unit=unit,
        )


@blp.route("/people/<int:person_id>/grants")
class PersonGrants(MethodView):
    @blp.response(200, GrantSchema(many=True))
    def get(self, person_id):
        """List a person's role grants (administrators)"""
        return org.get_person(db.session, current_actor(), person_id).grants

    @blp.arguments(GrantSchema)
    @blp.response(201, GrantSchema)
    def post(self, data, person_id):
        """Grant a role over a unit's subtree (administrators)"""
        actor = current_actor()
        person = org.get_person(db.session, actor, person_id)
        unit = org.get_unit(db.session, actor, data["unit_id"], "administrator")
        return org.grant_role(db.session, actor, person, data["role"], unit)


@blp.route("/grants/<int:grant_id>")
class GrantById(MethodView):
    @blp.response(204)
    def delete(self, grant_id):
        """Revoke a role grant (administrators)"""
        actor = current_actor()
        org.revoke_grant(db.session, actor, org.get_grant(db.session, actor, grant_id))
