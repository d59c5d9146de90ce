"""One table from domain exceptions to HTTP statuses, and one error body for every error:

{"status": 409, "code": "conflict", "message": "...", "errors": {...}, "details": {...}}
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from bpmn.errors import BpmnError
from engine.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    InvalidTransition,
    NotFound,
    TooLarge,
    UnsupportedType,
)

logger = logging.getLogger(__name__)

STATUS_OF: list[tuple[type[Exception], int, str]] = [
    # Most specific first.
    (InvalidTransition, 409, "invalid_transition"),
    (Conflict, 409, "conflict"),
    (NotFound, 404, "not_found"),
    (Forbidden, 403, "forbidden"),
    (Invalid, 422, "invalid"),
    (TooLarge, 413, "request_entity_too_large"),
    (UnsupportedType, 415, "unsupported_media_type"),
    (BpmnError, 422, "invalid_bpmn"),
    (DomainError, 400, "bad_request"),
]


def error_response(status: int, code: str, message: str, errors=None, details=None):
    body = {"status": status, "code": code, "message": message}
    if errors:
        body["errors"] = errors
    if details:
        body["details"] = details
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="etalon"'
    return response


def _domain_error(exc: Exception):
    status, code = next((s, c) for kind, s, c in STATUS_OF if isinstance(exc, kind))
    if isinstance(exc, BpmnError):
        problems = [p.to_dict() for p in exc.problems]
        if any(p.code == "xml.too_large" for p in exc.problems):
            status, code = 413, "request_entity_too_large"
        return error_response(status, code, exc.message, {"problems": problems})
    errors = getattr(exc, "errors", None)
    details = getattr(exc, "details", None)
    return error_response(status, code, getattr(exc, "message", str(exc)), errors, details)


def _http_error(exc: HTTPException):
    status = exc.code or 500
    code = (exc.name or "error").lower().replace(" ", "_")
    message = exc.description or exc.name
    errors = None
    data = getattr(exc, "data", None)  # webargs / flask-smorest put field errors here
    if isinstance(data, dict):
        errors = data.get("messages") or data.get("errors")
        message = data.get("message", message)
        if status == 422 and errors:
            message = "The request has invalid fields: " + ", ".join(_field_names(errors))
        if status == 400 and errors and "json" in errors and not isinstance(errors["json"], dict):
            message = "The request body is not valid JSON."
    if status == 413:
        message = f"The request body is larger than the limit of {_limit()} bytes."
    return error_response(status, code, message, errors)


def _field_names(errors) -> list[str]:
    names: list[str] = []
    for location in errors.values() if isinstance(errors, dict) else []:
        if isinstance(location, dict):
            names.extend(str(k) for k in location)
    return names or ["body"]


def _limit() -> int:
    from flask import current_app

    return current_app.config["MAX_CONTENT_LENGTH"]


def _unexpected(exc: Exception):
    if is_write_contention(exc):
        # SQLite allows one writer: a transaction whose snapshot went stale while another
        # wrote is refused at once. It is a lost race, as a stale lock is on PostgreSQL.
        return error_response(
            409, "busy", "Another change was written at the same time; reload and try again."
        )
    logger.exception("unhandled error")
    return error_response(500, "internal_error", InternalServerError.description)


def is_write_contention(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(BpmnError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
