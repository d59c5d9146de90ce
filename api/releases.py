"""Releases: versions of several standards published together on one effective date."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from engine.access import require_role
from engine.errors import NotFound
from models import Release, Standard, StandardVersion
from standards import releases
from standards.access import AUTHORS, PUBLISHERS

URL = "/releases"
blp = Blueprint("releases", __name__, description="Releases and atomic publication")


class ReleaseItemSchema(Schema):
    key = fields.String(required=True)
    number = fields.Integer(required=True)


class ReleaseSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 300))
    effective_date = fields.Date(required=True)
    status = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    published_at = fields.DateTime(dump_only=True, allow_none=True)
    versions = fields.Method("_versions", dump_only=True)
    items = fields.List(
        fields.Nested(ReleaseItemSchema),
        load_only=True,
        required=True,
        validate=validate.Length(min=1),
    )

    def _versions(self, release):
        return [
            {"key": v.standard.key, "number": v.number, "status": str(v.status)}
            for v in release.versions
        ]


def _resolve(items) -> list[StandardVersion]:
    versions = []
    for item in items:
        version = db.session.scalars(
            select(StandardVersion)
            .join(Standard)
            .where(Standard.key == item["key"], StandardVersion.number == item["number"])
        ).one_or_none()
        if version is None:
            raise NotFound(f"Version {item['number']} of {item['key']} not found.")
        versions.append(version)
    return versions


@blp.route("")
class Releases(MethodView):
    @blp.response(200, ReleaseSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """List releases (methodologists, approvers)"""
        require_role(current_actor(), *AUTHORS, *PUBLISHERS)
        return page_of(select(Release).order_by(Release.id.desc()), pagination_parameters)

    @blp.arguments(ReleaseSchema)
    @blp.response(201, ReleaseSchema)
    def post(self, data):
        """Assemble a release from versions of several standards"""
        actor = current_actor()
        require_role(actor, *AUTHORS, *PUBLISHERS)
        return releases.create_release(
            db.session,
            actor,
            name=data["name"],
            effective_date=data["effective_date"],
            versions=_resolve(data["items"]),
        )


@blp.route("/<int:release_id>")
class ReleaseById(MethodView):
    @blp.response(200, ReleaseSchema)
    def get(self, release_id):
        """Get a release"""
        return releases.get_release(db.session, current_actor(), release_id)


@blp.route("/<int:release_id>/publish")
class PublishRelease(MethodView):
    @blp.response(200, ReleaseSchema)
    def post(self, release_id):
        """Publish every version of the release, or none (approvers)"""
        actor = current_actor()
        require_role(actor, *PUBLISHERS)
        release = releases.get_release(db.session, actor, release_id)
        return releases.publish_release(db.session, actor, release)
