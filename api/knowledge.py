"""The knowledge base: technology cards, forms and documents attached to a version of a
standard (and to its elements). Drafts take attachments; later versions are immutable (409).
Files above ETALON_MAX_ATTACHMENT_BYTES → 413; types outside PDF, DOCX, XLSX, ODT, plain text
(by content and extension) → 415."""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app, request
from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import accepts, current_actor
from api.db import db
from api.pagination import Blueprint
from api.published import CONDITIONAL, ETAG_HEADERS, conditional
from engine.errors import Invalid
from models import AttachmentKind
from standards import knowledge, registry

URL = "/standards"
blp = Blueprint("knowledge", __name__, description="Knowledge base: documents of a version")

FILE_TYPES = ("multipart/form-data", "application/octet-stream", "application/pdf", "text/plain")


def attachment_limit() -> int:
    """ETALON_MAX_ATTACHMENT_BYTES, never above the request body limit."""
    config = current_app.config
    return min(config["MAX_ATTACHMENT_BYTES"], config["MAX_UPLOAD_BYTES"])


class AttachmentSchema(Schema):
    id = fields.Integer()
    version = fields.Function(lambda a: a.version.number)
    element_id = fields.String(allow_none=True)
    kind = fields.String()
    ref = fields.String(allow_none=True)
    title = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    carried_from_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    content_url = fields.Function(
        lambda a: (
            f"/api/v1/standards/{a.version.standard.key}/versions/{a.version.number}"
            f"/attachments/{a.id}/content"
        )
    )


class AttachQuerySchema(Schema):
    filename = fields.String(metadata={"description": "with a raw body: the file name"})
    kind = fields.Enum(AttachmentKind, by_value=True, load_default=AttachmentKind.document)
    title = fields.String(load_default=None)
    element_id = fields.String(load_default=None)
    ref = fields.String(
        load_default=None, metadata={"description": "e.g. technology card TK-REG-02"}
    )


class CarryOverSchema(Schema):
    from_version = fields.Integer(required=True, metadata={"description": "an earlier version"})


FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _version(key: str, number: int):
    actor = current_actor()
    return registry.get_version(
        db.session, actor, registry.get_standard(db.session, actor, key), number
    )


def _uploaded(query) -> tuple[str, bytes]:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise Invalid("The multipart form needs a `file` part.", {"file": ["missing"]})
        return query.get("filename") or upload.filename or "file", upload.read()
    if not query.get("filename"):
        raise Invalid("A raw body needs ?filename=…", {"filename": ["required"]})
    return query["filename"], request.get_data()


@blp.route("/<key>/versions/<int:number>/attachments")
class Attachments(MethodView):
    @blp.response(200, AttachmentSchema(many=True))
    def get(self, key, number):
        """Attachments of a version"""
        return knowledge.list_attachments(db.session, current_actor(), _version(key, number))

    @accepts(*FILE_TYPES)
    @blp.arguments(AttachQuerySchema, location="query")
    @blp.doc(**FILE_BODY)
    @blp.response(201, AttachmentSchema)
    def post(self, query, key, number):
        """Attach a technology card, form or document to a draft (413 too large, 415 type)"""
        filename, data = _uploaded(query)
        return knowledge.attach_document(
            db.session,
            current_actor(),
            _version(key, number),
            filename=filename,
            data=data,
            kind=query["kind"],
            title=query["title"],
            element_id=query["element_id"],
            ref=query["ref"],
            max_bytes=attachment_limit(),
        )


@blp.route("/<key>/versions/<int:number>/attachments/carry-over")
class CarryOver(MethodView):
    @blp.arguments(CarryOverSchema)
    @blp.response(201, AttachmentSchema(many=True))
    def post(self, data, key, number):
        """Copy the attachments of an earlier version whose elements still exist into a draft"""
        target = _version(key, number)
        source = _version(key, data["from_version"])
        return knowledge.carry_over_attachments(db.session, current_actor(), target, source)


@blp.route("/<key>/versions/<int:number>/attachments/<int:attachment_id>")
class AttachmentById(MethodView):
    @blp.response(200, AttachmentSchema)
    def get(self, key, number, attachment_id):
        """An attachment's description"""
        return knowledge.get_attachment(
            db.session, current_actor(), _version(key, number), attachment_id
        )

    @blp.response(204)
    def delete(self, key, number, attachment_id):
        """Remove an attachment from a draft"""
        actor = current_actor()
        attachment = knowledge.get_attachment(
            db.session, actor, _version(key, number), attachment_id
        )
        knowledge.remove_attachment(db.session, actor, attachment)


@blp.route("/<key>/versions/<int:number>/attachments/<int:attachment_id>/content")
class AttachmentContent(MethodView):
    @blp.doc(**CONDITIONAL)
    @blp.response(
        200,
        description="the file, with its content type",
        content_type="application/octet-stream",
        headers=ETAG_HEADERS,
    )
    @blp.alt_response(304, description="not modified", headers=ETAG_HEADERS)
    def get(self, key, number, attachment_id):
        """Download an attachment (ETag: its SHA-256)"""
        attachment = knowledge.get_attachment(
            db.session, current_actor(), _version(key, number), attachment_id
        )
        disposition = f"attachment; filename*=UTF-8''{quote(attachment.filename)}"
        return conditional(
            attachment.content,
            attachment.sha256,
            attachment.content_type,
            **{"Content-Disposition": disposition},
        )
