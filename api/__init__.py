"""The Flask application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, redirect
from flask_smorest import Api

from api import auth, config
from api.db import db
from api.errors import register_error_handlers

API_PREFIX = "/api/v1"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then `ETALON_*` variables, then `overrides`."""
    app = Flask(__name__, instance_relative_config=True)
    settings = config.from_environment()
    settings.update(overrides or {})
    app.config.update(config.finalise(settings, app.instance_path))
    app.config.update(
        MAX_CONTENT_LENGTH=app.config["MAX_UPLOAD_BYTES"],
        API_TITLE="Etalon",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=f"{API_PREFIX}/docs/static/",
        API_SPEC_OPTIONS={
            "info": {
                "description": "BPMN process standards: registry, execution, measurement.",
            },
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"bearer": []}],
        },
    )
    logging.getLogger().setLevel(app.config["LOG_LEVEL"])
    for name in ("api", "bpmn", "engine", "standards", "models"):
        logging.getLogger(name).setLevel(app.config["LOG_LEVEL"])

    app.json.ensure_ascii = False  # Russian text stays readable
    db.init_app(app)
    auth.init_app(app)
    api = Api(app)
    _register_blueprints(api)
    _register_docs_assets(app)
    register_error_handlers(app)

    @app.get("/")
    def index():
        return redirect(f"{API_PREFIX}/docs")

    return app


def _register_blueprints(api: Api) -> None:
    from api import (
        adoption,
        approval,
        assignments,
        audit_log,
        calendar,
        change_requests,
        corrective,
        deviations,
        events,
        graph,
        health,
        impact,
        indicators,
        instances,
        knowledge,
        notifications,
        org,
        people,
        published,
        releases,
        roles,
        settings,
        standards,
        tasks,
        tokens,
        units,
        webhooks,
    )

    for module in (
        *(health, units, people, org, tokens, audit_log),
        *(standards, approval, releases, settings),
        *(instances, tasks, calendar),
        *(events, indicators),
        *(graph, impact, assignments),
        *(published, webhooks, adoption, knowledge, roles),
        *(deviations, corrective, change_requests, notifications),
    ):
        api.register_blueprint(module.blp, url_prefix=f"{API_PREFIX}{module.URL}")


def _register_docs_assets(app: Flask) -> None:
    """Serve Swagger UI from the swagger-ui-bundle package, so the docs work with no internet."""
    from flask import Blueprint
    from swagger_ui_bundle import swagger_ui_path

    assets = Blueprint(
        "docs_static", __name__, static_folder=swagger_ui_path, static_url_path="/static"
    )
    app.register_blueprint(assets, url_prefix=f"{API_PREFIX}/docs")
