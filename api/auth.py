"""Bearer-token authentication. Every endpoint needs a token except those marked `public`."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g, request

from api.db import db
from api.errors import error_response
from engine.access import Actor
from engine.identity import authenticate

PUBLIC_BLUEPRINTS = {"api-docs", "docs_static"}


def public(view: Callable) -> Callable:
    """Mark a view (or MethodView method) as reachable without a token."""
    view._etalon_public = True  # type: ignore[attr-defined]
    return view


def current_actor() -> Actor:
    """The actor of this request (set by the before-request hook)."""
    return g.actor


def _view_attribute(name: str):
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        method = getattr(view_class, request.method.lower(), None)
        return getattr(method, name, None)
    return getattr(view, name, None)


def _authenticate():
    if request.endpoint is None:  # 404 / 405 are answered by the routing error
        return None
    if request.blueprint in PUBLIC_BLUEPRINTS or request.endpoint == "static":
        return None
    if _view_attribute("_etalon_public"):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return error_response(401, "unauthorized", "A bearer token is required.")
    actor = authenticate(db.session, secret.strip())
    if actor is None:
        return error_response(401, "unauthorized", "The token is unknown, expired or revoked.")
    g.actor = actor
    return None


def _check_content_type():
    """415 for bodies of a type the endpoint does not take (JSON unless it says otherwise)."""
    if request.method not in {"POST", "PUT", "PATCH"} or request.endpoint is None:
        return None
    if not request.content_length and not request.headers.get("Transfer-Encoding"):
        return None
    accepted = _view_attribute("_etalon_accepts") or ("application/json",)
    mimetype = request.mimetype or ""
    if mimetype in accepted or (mimetype.endswith("+json") and "application/json" in accepted):
        return None
    return error_response(
        415,
        "unsupported_media_type",
        f"This endpoint takes {', '.join(accepted)}, not {mimetype or 'a body without a type'}.",
    )


def accepts(*mimetypes: str) -> Callable:
    """Declare the body types a view takes instead of JSON."""

    def mark(view: Callable) -> Callable:
        view._etalon_accepts = mimetypes  # type: ignore[attr-defined]
        return view

    return mark


def init_app(app: Flask) -> None:
    app.before_request(_authenticate)
    app.before_request(_check_content_type)
