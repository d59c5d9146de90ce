"""SQLAlchemy 2.0 mapped classes. Importing this package registers every table."""

from models.assignments import Assignment, AssignmentEvent, AssignmentStatus
from models.audit import AuditEntry
from models.base import Base, utcnow
from models.execution import (
    CalendarDay,
    CheckpointEvent,
    CheckpointKind,
    InstanceStatus,
    ProcessInstance,
    TaskStatus,
    Timer,
    WorkTask,
)
from models.graph import GraphChange
from models.org import ApiToken, Person, PersonKind, Role, RoleGrant, Unit, UnitLevel
from models.session import make_engine, make_session_factory
from models.standards import (
    ApprovalDecision,
    Release,
    ReleaseStatus,
    Setting,
    Standard,
    StandardCategory,
    StandardKind,
    StandardVersion,
    VersionComment,
    VersionStatus,
)

__all__ = [
    "ApiToken",
    "Assignment",
    "AssignmentEvent",
    "AssignmentStatus",
    "ApprovalDecision",
    "AuditEntry",
    "Base",
    "CalendarDay",
    "CheckpointEvent",
    "CheckpointKind",
    "GraphChange",
    "InstanceStatus",
    "Person",
    "PersonKind",
    "ProcessInstance",
    "Release",
    "ReleaseStatus",
    "Role",
    "RoleGrant",
    "Setting",
    "Standard",
    "StandardCategory",
    "StandardKind",
    "StandardVersion",
    "TaskStatus",
    "Timer",
    "Unit",
    "UnitLevel",
    "VersionComment",
    "VersionStatus",
    "WorkTask",
    "make_engine",
    "make_session_factory",
    "utcnow",
]
