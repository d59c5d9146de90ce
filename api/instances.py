"""Process instances: start, list, read (state, current tasks, history), migrate in bulk."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint, page_of
from api.tasks import TaskSchema
from engine import instances, migration
from engine.errors import NotFound
from engine.org import get_unit
from models import InstanceStatus, StandardVersion

URL = "/instances"
blp = Blueprint("instances", __name__, description="Process instances run on the engine")


class InstanceSchema(Schema):
    id = fields.Integer()
    version_id = fields.Integer()
    standard_key = fields.Function(lambda i: i.standard.key)
    version_number = fields.Function(lambda i: i.version.number)
    unit_id = fields.Integer()
    status = fields.Enum(InstanceStatus, by_value=True)
    data = fields.Dict()
    error = fields.String(allow_none=True)
    subject_type = fields.String(allow_none=True)
    subject_id = fields.Integer(allow_none=True)
    started_by_id = fields.Integer(allow_none=True)
    started_at = fields.DateTime()
    updated_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    lock_version = fields.Integer()


class EventSchema(Schema):
    source = fields.String()
    checkpoint_id = fields.String()
    kind = fields.String()
    node_id = fields.String(allow_none=True)
    occurred_at = fields.DateTime()
    actor_login = fields.String(allow_none=True)
    attributes = fields.Dict()


class HistorySchema(Schema):
    completed_tasks = fields.List(fields.Nested(TaskSchema))
    events = fields.List(fields.Nested(EventSchema))


class InstanceDetailSchema(InstanceSchema):
    state = fields.Dict(metadata={"description": "SpiffWorkflow state (without the spec)"})
    current_tasks = fields.List(fields.Nested(TaskSchema))
    history = fields.Nested(HistorySchema)


class StartSchema(Schema):
    version_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True, metadata={"description": "the office"})
    data = fields.Dict(load_default=dict, metadata={"description": "initial case data"})


class InstanceQuerySchema(Schema):
    status = fields.Enum(InstanceStatus, by_value=True)
    standard_key = fields.String()
    version_id = fields.Integer()
    unit_id = fields.Integer()
    subject_type = fields.String()
    subject_id = fields.Integer()


class MigrateSchema(Schema):
    from_version_id = fields.Integer(required=True)
    to_version_id = fields.Integer(required=True)
    dry_run = fields.Boolean(load_default=True)


class MoveSchema(Schema):
    instance_id = fields.Integer()
    can_move = fields.Boolean()
    moved = fields.Boolean()
    reasons = fields.List(fields.String())


class MigrationReportSchema(Schema):
    from_version_id = fields.Integer()
    to_version_id = fields.Integer()
    dry_run = fields.Boolean()
    total = fields.Integer()
    movable = fields.Integer()
    moved = fields.Integer()
    instances = fields.List(fields.Nested(MoveSchema))


def _version(version_id: int) -> StandardVersion:
    version = db.session.get(StandardVersion, version_id)
    if version is None:
        raise NotFound("Standard version not found.", version_id=version_id)
    return version


@blp.route("")
class Instances(MethodView):
    @blp.arguments(InstanceQuerySchema, location="query")
    @blp.response(200, InstanceSchema(many=True))
    @blp.paginate()
    def get(self, query, pagination_parameters):
        """List the instances in my scope"""
        filters = instances.InstanceFilter(**query)
        return page_of(instances.query_instances(current_actor(), filters), pagination_parameters)

    @blp.arguments(StartSchema)
    @blp.response(201, InstanceDetailSchema)
    def post(self, data):
        """Start an instance of a published version in an office (employees, managers, regional
        systems with scope over the office)"""
        actor = current_actor()
        unit = get_unit(db.session, actor, data["unit_id"], *instances.STARTERS)
        version = _version(data["version_id"])
        instance = instances.start_instance(db.session, actor, version, unit, data["data"])
        return _detail(instance)


@blp.route("/<int:instance_id>")
class InstanceById(MethodView):
    @blp.response(200, InstanceDetailSchema)
    def get(self, instance_id):
        """Get an instance: state, current tasks, history"""
        return _detail(instances.get_instance(db.session, current_actor(), instance_id))


@blp.route("/migrate")
class Migrate(MethodView):
    @blp.arguments(MigrateSchema)
    @blp.response(200, MigrationReportSchema)
    def post(self, data):
        """Move the running instances of a version to a newer one (dry run by default;
        administrators and methodologists, instances in their scope)"""
        report = migration.migrate_instances(
            db.session,
            current_actor(),
            _version(data["from_version_id"]),
            _version(data["to_version_id"]),
            dry_run=data["dry_run"],
        )
        return report.to_dict()


class _Detail:
    """An instance with its current tasks and history, as the detail schema dumps it."""

    def __init__(self, instance) -> None:
        history = instances.instance_history(db.session, instance)
        self._instance = instance
        self.current_tasks = history.open_tasks
        self.history = {"completed_tasks": history.completed_tasks, "events": history.events}

    def __getattr__(self, name: str):
        return getattr(self._instance, name)


def _detail(instance) -> _Detail:
    return _Detail(instance)
