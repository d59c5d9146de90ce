"""Configuration. Every key has a default here; `ETALON_<KEY>` environment variables override
it (typed after the default), and `create_app(overrides)` overrides both.

| key | default | meaning |
|---|---|---|
| DATABASE_URL | sqlite in the instance folder | SQLAlchemy URL; `postgresql://…` uses psycopg 3 |
| SECRET_KEY | random per process | signs sessions of web pages; set it in production |
| MAX_UPLOAD_BYTES | 16 MiB | largest request body (BPMN, attachments, event batches) → 413 above |
| MAX_ATTACHMENT_BYTES | 10 MiB | largest knowledge-base document (at most MAX_UPLOAD_BYTES) |
| LOG_LEVEL | INFO | level of the `etalon` loggers |
| TOKEN_TTL_DAYS | 90 | lifetime of API tokens created without an explicit expiry |
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": "",  # filled from the instance folder when empty
    "SECRET_KEY": "",  # random when empty
    "MAX_UPLOAD_BYTES": 16 * 1024 * 1024,
    "MAX_ATTACHMENT_BYTES": 10 * 1024 * 1024,
    "LOG_LEVEL": "INFO",
    "TOKEN_TTL_DAYS": 90,
}


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The DEFAULTS with `ETALON_*` variables applied, converted to each default's type."""
    environ = dict(os.environ if environ is None else environ)
    config = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        raw = environ.get(f"ETALON_{key}")
        if raw is None:
            continue
        if isinstance(default, bool):
            config[key] = raw.lower() in {"1", "true", "yes", "on"}
        elif isinstance(default, int):
            try:
                config[key] = int(raw)
            except ValueError:
                raise ValueError(f"ETALON_{key} must be an integer, not {raw!r}") from None
        else:
            config[key] = raw
    return config


def finalise(config: dict[str, Any], instance_path: str) -> dict[str, Any]:
    """Fill the derived defaults that depend on the instance folder."""
    if not config.get("DATABASE_URL"):
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        config["DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'etalon.db'}"
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = secrets.token_hex(32)
    return config
