"""SQLAlchemy 2.0 mapped classes. Importing this package registers every table."""

from models.audit import AuditEntry
from models.base import Base, utcnow
from models.org import ApiToken, Person, PersonKind, Role, RoleGrant, Unit, UnitLevel
from models.session import make_engine, make_session_factory

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "Person",
    "PersonKind",
    "Role",
    "RoleGrant",
    "Unit",
    "UnitLevel",
    "make_engine",
    "make_session_factory",
    "utcnow",
]
