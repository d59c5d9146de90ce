"""The authorisation matrix's vocabulary: a `Row` per endpoint and lazily built targets.

Every actor holds exactly one system role over the Lipetsk region (R48). A target built for
scope "in" lives in Lipetsk, one for "out" in Tula (R71). Row modules (`authz_*.py`) register
the target factories they need with `@target("name")` and list their rows in `ROWS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from models import Role

ANY = frozenset(Role)
ADMIN = frozenset({Role.administrator})
REGION = {"in": "R48", "out": "R71"}
OFFICE = {"in": "R48-LIP", "out": "R71-TUL"}


@dataclass(frozen=True)
class Row:
    """`allowed` roles get `success` in scope and 404 out of it (unless `scoped` is False: the
    object is the actor's own, public, or a list filtered to the scope). Other roles get
    `denied` (403, or a function of role and scope, e.g. 404 where they may not see it)."""

    allowed: frozenset[str]
    call: Callable[[Any, dict, Targets], Any]  # (client, headers, targets) -> response
    success: int = 200
    scoped: bool = True
    denied: int | Callable[[str, str], int] = 403  # or f(role, scope)
    check: Callable[[Any, Targets], bool] | None = None  # extra check of a 200 response

    def expected(self, role: str, scope: str) -> int:
        if role not in self.allowed:
            return self.denied if isinstance(self.denied, int) else self.denied(role, scope)
        if scope == "out" and self.scoped:
            return 404
        return self.success


_FACTORIES: dict[str, Callable[[Targets], Any]] = {}


def target(name: str):
    """Register a factory of a named target object: `factory(targets) -> object`."""

    def register(factory: Callable[[Targets], Any]):
        _FACTORIES[name] = factory
        return factory

    return register


@dataclass
class Targets:
    session: Any
    system: Any
    scope: str
    _made: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        if name not in self._made:
            self._made[name] = _FACTORIES[name](self)
            self.session.flush()
        return self._made[name]
