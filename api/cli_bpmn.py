"""`etalon bpmn …`: validate, diff and render BPMN files.

The output and exit codes are a contract that scripts rely on:

* exit 0 — the work was done (no file has errors, a diff was computed, an SVG was written);
* exit 1 — ``validate`` found errors in at least one file;
* exit 2 — a file cannot be read or parsed (hostile XML included) or the command was misused
  (click's usage errors, an unknown ``--diagram``).

A file that cannot be loaded is reported with the same message and problems the API gives:
in the report (stdout) for ``validate``, on stderr for ``diff`` and ``render``. An SVG that
cannot be written is click's file error (exit 1).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import click

from bpmn.diff import Diff, diff
from bpmn.errors import BpmnError, Problem
from bpmn.loading import BpmnDocument, load_file
from bpmn.render import render_svg
from bpmn.render.diff_view import render_diff
from bpmn.validation import validate

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_UNLOADABLE = 2

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.group("bpmn")
def bpmn_group() -> None:
    """Validate, diff and render BPMN files."""


def problem_line(file: str, problem: Problem) -> str:
    """One problem as ``FILE:LINE: severity code [element id] message`` (greppable)."""
    where = f"{file}:{problem.line}:" if problem.line else f"{file}:"
    element = f" [{problem.element_id}]" if problem.element_id else ""
    return f"{where} {problem.severity} {problem.code}{element} {problem.message}"


def _refusal_lines(file: str, exc: BpmnError) -> list[str]:
    """The API's refusal of an unloadable file: its message, then every problem with its line."""
    return [exc.message] + [problem_line(file, p) for p in exc.problems]


def _load_or_exit(ctx: click.Context, path: Path) -> BpmnDocument:
    """Load ``path`` or end the command with exit 2 and the refusal on stderr."""
    try:
        return load_file(path)
    except BpmnError as exc:
        for line in _refusal_lines(str(path), exc):
            click.echo(line, err=True)
        ctx.exit(EXIT_UNLOADABLE)
        raise  # unreachable: ctx.exit raises; keeps type checkers content


# --- validate -----------------------------------------------------------------------------


@bpmn_group.command("validate")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one entry per file.")
@click.option(
    "--trusted", is_flag=True, help="Allow script tasks (only for files Etalon ships itself)."
)
@click.option(
    "--with",
    "others",
    multiple=True,
    type=_FILE,
    metavar="OTHER.bpmn",
    help="A document in force that call activities resolve against (repeatable).",
)
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.pass_context
def validate_command(
    ctx: click.Context,
    as_json: bool,
    trusted: bool,
    others: tuple[Path, ...],
    files: tuple[Path, ...],
) -> None:
    """Validate FILE… against the BPMN schema, structural rules and Etalon's metadata rules.

    Exit 0 when no file has errors, 1 when any has errors, 2 when a file cannot be loaded.
    """
    supporting = [_load_or_exit(ctx, path) for path in others]
    entries: list[dict] = []
    lines: list[str] = []
    for path in files:
        file = str(path)
        try:
            document = load_file(path)
        except BpmnError as exc:
            entries.append({"file": file, "ok": False, "load_error": exc.to_dict()})
            lines += _refusal_lines(file, exc)
            lines.append(f"{file}: cannot be loaded")
            continue
        # A file validated together with its supporting files must not resolve against itself
        # twice: pass the others minus any document with the same content.
        in_force = [d for d in supporting if d.sha256 != document.sha256]
        report = validate(document, others=in_force, trusted=trusted)
        entries.append({"file": file, **report.to_dict()})
        lines += [problem_line(file, p) for p in report.problems]
        status = "ok" if report.ok else "has errors"
        lines.append(
            f"{file}: {status} ({len(report.errors)} errors, {len(report.warnings)} warnings)"
        )
    exit_code = _validation_exit_code(entries)
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
    else:
        for line in lines:
            click.echo(line)
        click.echo(_validation_summary(entries))
    ctx.exit(exit_code)


def _validation_exit_code(entries: Sequence[dict]) -> int:
    if any("load_error" in e for e in entries):
        return EXIT_UNLOADABLE
    if any(not e["ok"] for e in entries):
        return EXIT_ERRORS
    return EXIT_OK


def _validation_summary(entries: Sequence[dict]) -> str:
    unloadable = sum(1 for e in entries if "load_error" in e)
    loaded = [e for e in entries if "load_error" not in e]
    failed = sum(1 for e in loaded if not e["ok"])
    errors = sum(e["errors"] for e in loaded)
    warnings = sum(e["warnings"] for e in loaded)
    return (
        f"{len(entries)} file(s): {len(loaded) - failed} ok, {failed} with errors, "
        f"{unloadable} unloadable; {errors} errors, {warnings} warnings"
    )


# --- diff ---------------------------------------------------------------------------------


@bpmn_group.command("diff")
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@click.argument("old", type=_FILE)
@click.argument("new", type=_FILE)
@click.pass_context
def diff_command(ctx: click.Context, as_json: bool, old: Path, new: Path) -> None:
    """Show what changed from OLD to NEW: elements, metadata, processes; layout apart.

    Exit 0 when the diff was computed (empty or not), 2 when a file cannot be loaded.
    """
    result = diff(_load_or_exit(ctx, old), _load_or_exit(ctx, new))
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    for line in result.summary():
        click.echo(line)
    click.echo(_diff_counts(result))


def _diff_counts(result: Diff) -> str:
    return (
        f"Итого: добавлено {len(result.added)}, удалено {len(result.removed)}, "
        f"изменено {len(result.changed)}, перерисовано {len(result.replaced)}, "
        f"изменений процессов {len(result.processes)}, "
        f"изменений раскладки {len(result.layout)}"
    )


# --- render -------------------------------------------------------------------------------


@bpmn_group.command("render")
@click.argument("file", type=_FILE)
@click.option(
    "-o", "--output", required=True, type=_FILE, metavar="OUT.svg", help="Where to write the SVG."
)
@click.option(
    "--diff-against",
    "older",
    type=_FILE,
    metavar="OLD.bpmn",
    help="Colour what changed since OLD: added green, changed amber, redrawn orange; "
    "removed elements are drawn dashed red from OLD and listed.",
)
@click.option("--diagram", "diagram_id", default=None, help="The BPMNDiagram id to draw.")
@click.pass_context
def render_command(
    ctx: click.Context, file: Path, output: Path, older: Path | None, diagram_id: str | None
) -> None:
    """Draw a diagram of FILE as SVG into OUT.svg.

    Exit 0 when written, 2 when a file cannot be loaded or the diagram does not exist.
    """
    document = _load_or_exit(ctx, file)
    old_document = _load_or_exit(ctx, older) if older is not None else None
    highlighted = 0
    try:
        if old_document is None:
            svg = render_svg(document, diagram_id=diagram_id)
        else:
            picture = render_diff(old_document, document, diagram_id=diagram_id)
            svg, highlighted = picture.svg, picture.highlighted
            _echo_removed(picture.removed)
    except BpmnError as exc:
        for line in _refusal_lines(str(file), exc):
            click.echo(line, err=True)
        ctx.exit(EXIT_UNLOADABLE)
    try:
        output.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + svg, encoding="utf-8")
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror) from None
    logger.info("rendered %s to %s (%d overlays)", file, output, highlighted)
    click.echo(f"{output}: SVG written ({highlighted} element(s) highlighted)")


def _echo_removed(removed: Iterable[tuple[str, str]]) -> None:
    for element_id, label in removed:
        click.echo(f"Удалено: {label} ({element_id})")
