"""Domain exceptions. They carry a message and details, never an HTTP status: `api/errors.py`
maps them to statuses in one table."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error an operation reports to its caller."""

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    """The object does not exist, or lies outside the actor's scope (they must not learn which)."""


class Forbidden(DomainError):
    """The actor lacks the role the operation needs."""


class Conflict(DomainError):
    """The operation contradicts the current state (duplicate key, immutable object, lost race)."""


class InvalidTransition(Conflict):
    """A status change the object's life cycle does not allow; `allowed` lists what would be."""

    def __init__(self, message: str, *, allowed: list[str], **details: Any) -> None:
        super().__init__(message, allowed=allowed, **details)


class Invalid(DomainError):
    """Input that is well-formed but violates a rule; `errors` maps fields to messages."""

    def __init__(self, message: str, errors: dict[str, Any] | None = None, **details: Any) -> None:
        super().__init__(message, **details)
        self.errors = errors or {}


class TooLarge(DomainError):
    """Content above a size limit."""


class UnsupportedType(DomainError):
    """Content of a type the operation does not take."""
