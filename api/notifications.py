"""Notifications of the loop for the calling person: an integration polls with `after` (the
last id it has seen); people mark them read."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from engine import notifications

URL = "/notifications"
blp = Blueprint("notifications", __name__, description="Notifications (poll by id)")


class NotificationSchema(Schema):
    id = fields.Integer()
    event = fields.String(metadata={"description": ", ".join(notifications.EVENTS)})
    assignment_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    title = fields.String()
    body = fields.Dict()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationQuerySchema(Schema):
    after = fields.Integer(metadata={"description": "only notifications with a larger id"})
    unread = fields.Boolean(load_default=False)


@blp.route("")
class Notifications(MethodView):
    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """My notifications, oldest first"""
        select_ = notifications.my_notifications(
            current_actor(), after=query.get("after"), unread=query["unread"]
        )
        return page_of(select_, pagination_parameters)


@blp.route("/<int:notification_id>/read")
class Read(MethodView):
    @blp.response(200, NotificationSchema)
    def post(self, notification_id):
        """Mark one of my notifications read"""
        return notifications.mark_read(db.session, current_actor(), notification_id)
