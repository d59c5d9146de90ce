"""`etalon bpmn …`: validate, diff and render BPMN files."""

from __future__ import annotations

import click


@click.group("bpmn")
def bpmn_group() -> None:
    """Validate, diff and render BPMN files."""
