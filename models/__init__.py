"""SQLAlchemy 2.0 mapped classes. Importing this package registers every table."""

from models.assignments import Assignment, AssignmentEvent, AssignmentStatus
from models.audit import AuditEntry
from models.base import Base, utcnow
from models.distribution import (
    Adoption,
    ChangeKind,
    DeliveryStatus,
    PublicationEvent,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
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
from models.knowledge import Attachment, AttachmentKind, SearchEntry
from models.measurement import (
    CaseTrace,
    EmployeeDay,
    IndicatorObservation,
    IndicatorRollup,
    QualityIndexValue,
)
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
    "Adoption",
    "ApiToken",
    "ApprovalDecision",
    "Assignment",
    "AssignmentEvent",
    "AssignmentStatus",
    "Attachment",
    "AttachmentKind",
    "AuditEntry",
    "Base",
    "CalendarDay",
    "CaseTrace",
    "ChangeKind",
    "CheckpointEvent",
    "CheckpointKind",
    "DeliveryStatus",
    "EmployeeDay",
    "GraphChange",
    "IndicatorObservation",
    "IndicatorRollup",
    "InstanceStatus",
    "Person",
    "PersonKind",
    "ProcessInstance",
    "PublicationEvent",
    "QualityIndexValue",
    "Release",
    "ReleaseStatus",
    "Role",
    "RoleGrant",
    "SearchEntry",
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
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "WorkTask",
    "make_engine",
    "make_session_factory",
    "utcnow",
]
