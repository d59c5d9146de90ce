"""`etalon run`, `etalon worker` and `etalon instances …`: the execution engine."""

from __future__ import annotations

import click


@click.group("instances")
def instances_group() -> None:
    """Process instances: start, list, show, migrate."""


ENGINE_COMMANDS: list[click.Command] = [instances_group]
