"""The standards registry: standards, versions (upload, fix, read, render), diffs, comments."""

from __future__ import annotations

import datetime as dt

from flask import Response, request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.audit_log import AuditEntrySchema
from api.auth import accepts, current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from bpmn.loading import Limits
from bpmn.render import render_svg
from engine import org
from engine.access import READERS_OF_AUDIT, require_role
from engine.errors import Invalid, NotFound
from models import StandardCategory, StandardKind, VersionStatus
from standards import comments, diffs, history, registry, releases

URL = "/standards"
blp = Blueprint("standards", __name__, description="Standards and their versions")

BPMN_TYPES = (
    "application/xml",
    "text/xml",
    "application/bpmn+xml",
    "application/octet-stream",
    "multipart/form-data",
)


class StandardSchema(Schema):
    id = fields.Integer(dump_only=True)
    key = fields.String(required=True, validate=validate.Length(3, 200))
    title = fields.String(required=True, validate=validate.Length(1, 500))
    kind = fields.Enum(StandardKind, by_value=True, required=True)
    category = fields.Enum(StandardCategory, by_value=True, load_default=StandardCategory.main)
    service_code = fields.String(allow_none=True, load_default=None)
    owning_unit_id = fields.Integer(required=True)
    process_id = fields.String(allow_none=True, load_default=None)
    trusted = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class StandardUpdateSchema(Schema):
    title = fields.String(validate=validate.Length(1, 500))
    service_code = fields.String(allow_none=True)
    category = fields.Enum(StandardCategory, by_value=True)
    trusted = fields.Boolean(metadata={"description": "administrators only: allow script tasks"})


class StandardQuerySchema(Schema):
    kind = fields.Enum(StandardKind, by_value=True)
    category = fields.Enum(StandardCategory, by_value=True)
    status = fields.Enum(VersionStatus, by_value=True)
    service_code = fields.String()
    owning_unit_id = fields.Integer()
    q = fields.String(metadata={"description": "text in the key or title"})


class ProblemSchema(Schema):
    code = fields.String()
    severity = fields.String()
    message = fields.String()
    element_id = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)


class VersionSchema(Schema):
    id = fields.Integer()
    standard_key = fields.Function(lambda v: v.standard.key)
    number = fields.Integer()
    status = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    note = fields.String()
    author_id = fields.Integer(allow_none=True)
    error_count = fields.Integer()
    warning_count = fields.Integer()
    problems = fields.List(fields.Nested(ProblemSchema))
    summary = fields.Dict()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    effective_from = fields.Date(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)
    release_id = fields.Integer(allow_none=True)
    approval_route = fields.String(allow_none=True)


class VersionBriefSchema(VersionSchema):
    class Meta:
        exclude = ("problems", "summary")


class UploadResultSchema(Schema):
    created = fields.Boolean(metadata={"description": "false: identical to the latest version"})
    message = fields.String()
    version = fields.Nested(VersionSchema)


class UploadQuerySchema(Schema):
    note = fields.String(load_default="", metadata={"description": "what this version changes"})


class InForceQuerySchema(Schema):
    on = fields.Date(metadata={"description": "date (default today)"})


class DiffQuerySchema(Schema):
    from_ = fields.Integer(data_key="from", required=True)
    to = fields.Integer(required=True)


class CommentSchema(Schema):
    id = fields.Integer(dump_only=True)
    element_id = fields.String(allow_none=True, load_default=None)
    body = fields.String(required=True, validate=validate.Length(1, 10000))
    author_id = fields.Integer(dump_only=True)
    author_login = fields.Function(lambda c: c.author.login if c.author else None)
    created_at = fields.DateTime(dump_only=True)


class WithdrawSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


BPMN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/xml": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


def uploaded_bytes() -> bytes:
    """The BPMN of the request: a raw XML body, or the `file` part of a multipart form."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise Invalid("The multipart form needs a `file` part.", {"file": ["missing"]})
        return upload.read()
    data = request.get_data()
    if not data:
        raise Invalid("The request body is empty: send the BPMN file.", {"body": ["empty"]})
    return data


def limits() -> Limits:
    from flask import current_app

    return Limits(max_bytes=current_app.config["MAX_UPLOAD_BYTES"])


def _standard(key: str):
    return registry.get_standard(db.session, current_actor(), key)


def version_of(key: str, number: int):
    return registry.get_version(db.session, current_actor(), _standard(key), number)


def _upload_response(result: registry.UploadResult):
    if not result.created:
        message = f"Identical to version {result.version.number}: nothing new was stored."
        return {"created": False, "message": message, "version": result.version}, 200
    version = result.version
    if version.error_count:
        message = (
            f"Stored as draft {version.number} with {version.error_count} error(s); "
            "fix them before submitting."
        )
    else:
        message = f"Stored as draft {version.number}."
    return {"created": True, "message": message, "version": version}, 201


@blp.route("")
class Standards(MethodView):
    @blp.arguments(StandardQuerySchema, location="query")
    @blp.response(200, StandardSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List and search standards"""
        filters = registry.StandardFilter(
            kind=query.get("kind"),
            category=query.get("category"),
            status=query.get("status"),
            service_code=query.get("service_code"),
            owning_unit_id=query.get("owning_unit_id"),
            text=query.get("q"),
        )
        return page_of(registry.visible_standards(current_actor(), filters), pagination_parameters)

    @blp.arguments(StandardSchema)
    @blp.response(201, StandardSchema)
    def post(self, data):
        """Register a new standard (methodologists)"""
        actor = current_actor()
        unit = org.get_unit(db.session, actor, data.pop("owning_unit_id"), "methodologist")
        return registry.create_standard(db.session, actor, owning_unit=unit, **data)


@blp.route("/<key>")
class StandardByKey(MethodView):
    @blp.response(200, StandardSchema)
    def get(self, key):
        """Get a standard"""
        return _standard(key)

    @blp.arguments(StandardUpdateSchema)
    @blp.response(200, StandardSchema)
    def patch(self, data, key):
        """Change a standard's title, service code, category; or mark it trusted (admins)"""
        return registry.update_standard(db.session, current_actor(), _standard(key), **data)


@blp.route("/<key>/versions")
class Versions(MethodView):
    @blp.response(200, VersionBriefSchema(many=True))
    def get(self, key):
        """List the versions I may see"""
        standard = _standard(key)
        return registry.visible_versions(current_actor(), standard)

    @accepts(*BPMN_TYPES)
    @blp.arguments(UploadQuerySchema, location="query")
    @blp.doc(**BPMN_BODY)
    @blp.response(201, UploadResultSchema)
    @blp.alt_response(200, schema=UploadResultSchema, description="identical to the latest")
    def post(self, query, key):
        """Upload a BPMN file as the next draft version, validated on arrival"""
        result = registry.upload_version(
            db.session,
            current_actor(),
            _standard(key),
            uploaded_bytes(),
            note=query["note"],
            limits=limits(),
        )
        return _upload_response(result)


@blp.route("/<key>/versions/<int:number>")
class VersionByNumber(MethodView):
    @blp.response(200, VersionSchema)
    def get(self, key, number):
        """Get a version with its problems and manifest"""
        return version_of(key, number)


@blp.route("/<key>/versions/<int:number>/bpmn")
class VersionBpmn(MethodView):
    @blp.response(200, description="the BPMN file", content_type="application/xml")
    def get(self, key, number):
        """Download a version's BPMN"""
        version = version_of(key, number)
        return Response(
            version.bpmn, mimetype="application/xml", headers={"ETag": f'"{version.sha256}"'}
        )

    @accepts(*BPMN_TYPES)
    @blp.doc(**BPMN_BODY)
    @blp.response(201, UploadResultSchema)
    @blp.alt_response(200, schema=UploadResultSchema, description="identical bytes")
    def put(self, key, number):
        """Replace a draft's BPMN (approved and published versions are immutable: 409)"""
        version = version_of(key, number)
        result = registry.replace_draft(
            db.session, current_actor(), version, uploaded_bytes(), limits=limits()
        )
        return _upload_response(result)


@blp.route("/<key>/versions/<int:number>/svg")
class VersionSvg(MethodView):
    @blp.response(200, description="the diagram as SVG", content_type="image/svg+xml")
    def get(self, key, number):
        """Render a version's diagram as SVG"""
        version = version_of(key, number)
        svg = render_svg(registry.load_version_document(db.session, version))
        return Response(svg, mimetype="image/svg+xml")


@blp.route("/<key>/in-force")
class InForce(MethodView):
    @blp.arguments(InForceQuerySchema, location="query")
    @blp.response(200, VersionSchema)
    def get(self, query, key):
        """The version in force on a date (default today)"""
        standard = _standard(key)
        on = query.get("on") or dt.date.today()
        version = registry.version_in_force(db.session, standard, on)
        if version is None:
            raise NotFound(f"{key} has no version in force on {on.isoformat()}.")
        return version


@blp.route("/<key>/diff")
class VersionsDiff(MethodView):
    @blp.arguments(DiffQuerySchema, location="query")
    @blp.response(200)
    def get(self, query, key):
        """Semantic diff between two versions (JSON)"""
        result = diffs.diff_versions(
            db.session, current_actor(), _standard(key), query["from_"], query["to"]
        )
        return result.to_dict()


@blp.route("/<key>/diff/svg")
class VersionsDiffSvg(MethodView):
    @blp.arguments(DiffQuerySchema, location="query")
    @blp.response(200, description="the newer diagram with overlays", content_type="image/svg+xml")
    def get(self, query, key):
        """The newer version's diagram with the diff drawn on it (removed elements dashed red)"""
        picture = diffs.diff_picture(
            db.session, current_actor(), _standard(key), query["from_"], query["to"]
        )
        removed = ", ".join(element_id for element_id, _ in picture.removed)
        return Response(
            picture.svg, mimetype="image/svg+xml", headers={"X-Etalon-Removed": removed}
        )


@blp.route("/<key>/versions/<int:number>/comments")
class Comments(MethodView):
    @blp.response(200, CommentSchema(many=True))
    def get(self, key, number):
        """Comments on a version"""
        return comments.list_comments(db.session, current_actor(), version_of(key, number))

    @blp.arguments(CommentSchema)
    @blp.response(201, CommentSchema)
    def post(self, data, key, number):
        """Comment on a version or one of its elements"""
        return comments.add_comment(db.session, current_actor(), version_of(key, number), **data)


@blp.route("/<key>/versions/<int:number>/withdraw")
class Withdraw(MethodView):
    @blp.arguments(WithdrawSchema)
    @blp.response(200, VersionSchema)
    def post(self, data, key, number):
        """Withdraw a published version (approvers)"""
        return releases.withdraw_version(
            db.session, current_actor(), version_of(key, number), reason=data["reason"]
        )


@blp.route("/<key>/history")
class History(MethodView):
    @blp.response(200)
    def get(self, key):
        """The standard's whole history from the audit log (administrators, auditors)"""
        actor = current_actor()
        require_role(actor, *READERS_OF_AUDIT)
        entries = history.standard_history(db.session, actor, _standard(key))
        return AuditEntrySchema(many=True).dump(entries)
