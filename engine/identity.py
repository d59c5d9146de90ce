"""API tokens: issued (shown once), stored hashed, revocable, with expiry.

Tokens look like `etl_<43 url-safe characters>`. Only their SHA-256 is stored; a password login
for web pages can be added later beside this (`Person.password_hash` is reserved for it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.access import ADMIN, Actor, load_actor, require_unit
from engine.errors import Conflict, Forbidden, NotFound
from models import ApiToken, Person, utcnow

TOKEN_PREFIX = "etl_"


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session,
    actor: Actor,
    person: Person,
    *,
    name: str = "",
    expires_in: dt.timedelta | None = dt.timedelta(days=90),
) -> tuple[ApiToken, str]:
    """Issue a token for `person` (themselves, or someone in an administrator's scope).
    Returns the row and the secret, which is never shown again."""
    if actor.person_id != person.id:
        require_unit(actor, person.unit, *ADMIN, what="Person")
    if not person.is_active:
        raise Conflict(f"{person.login} is deactivated.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        person=person,
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[:10],
        expires_at=utcnow() + expires_in if expires_in else None,
    )
    session.add(token)
    audit.record(session, actor, "token.create", token, unit_id=person.unit_id, login=person.login)
    return token, secret


def authenticate(session: Session, secret: str) -> Actor | None:
    """The actor a bearer token stands for, or None when it is unknown, expired or revoked."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == hash_token(secret))
    ).one_or_none()
    now = utcnow()
    if token is None or not token.is_usable(now) or not token.person.is_active:
        return None
    # Touch at most once a minute: a write per request would serialise readers on SQLite.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        token.last_used_at = now
    return load_actor(session, token.person_id)


def get_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("Token not found.")
    if token.person_id != actor.person_id:
        require_unit(actor, token.person.unit, *ADMIN, what="Token")
    return token


def visible_tokens(actor: Actor, person: Person | None = None):
    """The actor's own tokens, or `person`'s (the caller checked the administrator's scope)."""
    if person is None and actor.person_id is None:
        raise Forbidden("The system actor has no tokens.")
    owner_id = person.id if person is not None else actor.person_id
    return select(ApiToken).where(ApiToken.person_id == owner_id).order_by(ApiToken.id)


def revoke_token(session: Session, actor: Actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            session,
            actor,
            "token.revoke",
            token,
            unit_id=token.person.unit_id,
            login=token.person.login,
        )
    return token
