"""User tasks: my work list, claiming and completing a task."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from engine import tasks
from models import TaskStatus, utcnow

URL = "/tasks"
blp = Blueprint("tasks", __name__, description="User tasks of running instances")


class FieldSchema(Schema):
    name = fields.String()
    type = fields.String()
    required = fields.Boolean()
    values = fields.List(fields.String())
    label = fields.String(allow_none=True)


class TaskSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    node_id = fields.String()
    name = fields.String(allow_none=True)
    kind = fields.String()
    lane = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    status = fields.Enum(TaskStatus, by_value=True)
    fields_ = fields.List(fields.Nested(FieldSchema), attribute="fields", data_key="fields")
    due_at = fields.DateTime(allow_none=True)
    is_overdue = fields.Method("_is_overdue")
    created_at = fields.DateTime()
    claimed_by_id = fields.Integer(allow_none=True)
    completed_by_login = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    completed_data = fields.Dict(allow_none=True)
    lock_version = fields.Integer(
        metadata={"description": "the instance's lock; send it back as expected_lock"}
    )

    def _is_overdue(self, task) -> bool:
        return task.is_overdue(utcnow())


class CompleteSchema(Schema):
    data = fields.Dict(load_default=dict, metadata={"description": "the task's form fields"})
    expected_lock = fields.Integer(
        load_default=None, metadata={"description": "lock_version you saw; 409 if it changed"}
    )


@blp.route("/mine")
class MyTasks(MethodView):
    @blp.response(200, TaskSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """My open tasks: those whose role I hold over the instance's office, due first"""
        return page_of(tasks.query_my_tasks(current_actor()), pagination_parameters)


@blp.route("/<int:task_id>/claim")
class Claim(MethodView):
    @blp.response(200, TaskSchema)
    def post(self, task_id):
        """Claim a ready task"""
        actor = current_actor()
        return tasks.claim_task(db.session, actor, tasks.get_task(db.session, actor, task_id))


@blp.route("/<int:task_id>/complete")
class Complete(MethodView):
    @blp.arguments(CompleteSchema)
    @blp.response(200, TaskSchema)
    def post(self, data, task_id):
        """Complete a task with its form data (409 not ready or lost race, 422 bad data)"""
        return tasks.complete_task(
            db.session,
            current_actor(),
            task_id,
            data["data"],
            expected_lock=data["expected_lock"],
        )
