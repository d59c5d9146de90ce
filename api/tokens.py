"""API tokens: create (the secret is in this one response only), list, revoke."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from engine import identity, org
from engine.errors import Forbidden
from models import Person

URL = "/tokens"
blp = Blueprint("tokens", __name__, description="API tokens")


class TokenSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(load_default="", validate=validate.Length(0, 200))
    person_id = fields.Integer(load_default=None, allow_none=True)
    prefix = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    expires_at = fields.DateTime(dump_only=True)
    revoked_at = fields.DateTime(dump_only=True)
    last_used_at = fields.DateTime(dump_only=True)
    expires_in_days = fields.Integer(
        load_only=True, load_default=None, allow_none=True, validate=validate.Range(1, 3650)
    )


class NewTokenSchema(TokenSchema):
    token = fields.String(dump_only=True, metadata={"description": "shown only now"})


class TokenQuerySchema(Schema):
    person_id = fields.Integer()


@blp.route("")
class Tokens(MethodView):
    @blp.arguments(TokenQuerySchema, location="query")
    @blp.response(200, TokenSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List my tokens, or a person's (administrators)"""
        actor = current_actor()
        person = None
        if "person_id" in query and query["person_id"] != actor.person_id:
            person = org.get_person(db.session, actor, query["person_id"])
        return page_of(identity.visible_tokens(actor, person), pagination_parameters)

    @blp.arguments(TokenSchema)
    @blp.response(201, NewTokenSchema)
    def post(self, data):
        """Create a token for me, or for a person in my scope (administrators)"""
        actor = current_actor()
        person_id = data["person_id"] or actor.person_id
        if person_id is None:
            raise Forbidden("The system actor has no tokens.")
        person = (
            org.get_person(db.session, actor, person_id)
            if person_id != actor.person_id
            else db.session.get(Person, person_id)
        )
        days = data["expires_in_days"] or current_app.config["TOKEN_TTL_DAYS"]
        token, secret = identity.create_token(
            db.session, actor, person, name=data["name"], expires_in=dt.timedelta(days=days)
        )
        token.token = secret  # type: ignore[attr-defined]
        return token


@blp.route("/<int:token_id>")
class TokenById(MethodView):
    @blp.response(200, TokenSchema)
    def get(self, token_id):
        """Get a token's details (never its secret)"""
        return identity.get_token(db.session, current_actor(), token_id)

    @blp.response(200, TokenSchema)
    def delete(self, token_id):
        """Revoke a token"""
        actor = current_actor()
        return identity.revoke_token(
            db.session, actor, identity.get_token(db.session, actor, token_id)
        )
