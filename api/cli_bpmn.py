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

import copy
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import click
from lxml import etree

from bpmn.diff import Diff, ElementDiff, diff
from bpmn.diff_summary import FIELD_NAMES, element_name
from bpmn.errors import BpmnError, Problem
from bpmn.loading import BpmnDocument, load_file
from bpmn.render import Overlay, render_svg
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
    overlays: dict[str, Overlay] = {}
    result: Diff | None = None
    old_document: BpmnDocument | None = None
    if older is not None:
        old_document = _load_or_exit(ctx, older)
        result = diff(old_document, document)
        overlays = diff_overlays(result)
    try:
        svg = render_svg(document, overlays=overlays, diagram_id=diagram_id)
    except BpmnError as exc:
        for line in _refusal_lines(str(file), exc):
            click.echo(line, err=True)
        ctx.exit(EXIT_UNLOADABLE)
    if result is not None and old_document is not None:
        removed = removed_elements(result)
        svg = annotate_diff(svg, old_document, removed, diagram_id)
        _echo_removed(removed)
    try:
        output.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + svg, encoding="utf-8")
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror) from None
    logger.info("rendered %s to %s (%d overlays)", file, output, len(overlays))
    click.echo(f"{output}: SVG written ({len(overlays)} element(s) highlighted)")


def _echo_removed(removed: Iterable[tuple[str, str]]) -> None:
    for element_id, label in removed:
        click.echo(f"Удалено: {label} ({element_id})")


# --- diff overlays ------------------------------------------------------------------------

ADDED = Overlay(fill="#e3f5e1", stroke="#2e7d32", badge="+")
CHANGED = Overlay(fill="#fff3cd", stroke="#d98b00", badge="Δ")
REPLACED = Overlay(fill="#ffe0c2", stroke="#e65100", badge="⇄")
REMOVED_STROKE = "#c62828"
#: process-level items that are drawn (indicators and deadlines live in metadata only)
_DRAWN_PROCESS_ITEMS = frozenset({"lane"})
_CONTAINERS = frozenset({"lane", "participant"})


def _with_title(overlay: Overlay, title: str, *, container: bool = False) -> Overlay:
    # A lane tinted all over would drown the tasks inside it: containers get the outline only.
    fill = None if container else overlay.fill
    return Overlay(fill=fill, stroke=overlay.stroke, badge=overlay.badge, title=title)


def _label(item: ElementDiff) -> str:
    name = f" «{item.name}»" if item.name else ""
    return f"{element_name(item.type)}{name}"


def _changed_fields(item: ElementDiff) -> str:
    return ", ".join(FIELD_NAMES.get(c.field, c.field) for c in item.changes)


def diff_overlays(result: Diff) -> dict[str, Overlay]:
    """Overlays for the newer diagram: added green, changed amber, redrawn (replaced) orange."""
    overlays: dict[str, Overlay] = {}
    lanes_added = [e for p in result.processes for e in p.added if e.type in _DRAWN_PROCESS_ITEMS]
    lanes_changed = [
        e for p in result.processes for e in p.changed if e.type in _DRAWN_PROCESS_ITEMS
    ]
    for item in [*result.added, *lanes_added]:
        overlays[item.id] = _with_title(
            ADDED, f"Добавлено: {_label(item)}", container=item.type in _CONTAINERS
        )
    for item in [*result.changed, *lanes_changed]:
        overlays[item.id] = _with_title(
            CHANGED,
            f"Изменено: {_label(item)}: {_changed_fields(item)}",
            container=item.type in _CONTAINERS,
        )
    for replacement in result.replaced:
        overlays[replacement.new_id] = _with_title(
            REPLACED,
            f"Перерисовано заново: {element_name(replacement.type)} (было {replacement.old_id})",
        )
    return overlays


def removed_elements(result: Diff) -> list[tuple[str, str]]:
    """(id, Russian label) of every drawn element that the newer version no longer has."""
    lanes = [e for p in result.processes for e in p.removed if e.type in _DRAWN_PROCESS_ITEMS]
    return [(item.id, _label(item)) for item in [*result.removed, *lanes]]


_SVG_NS = "http://www.w3.org/2000/svg"
_LINE_HEIGHT = 18.0
_REMOVED_STYLE = (
    f".etalon-removed :not(text) {{ stroke: {REMOVED_STROKE}; stroke-dasharray: 6 4; "
    "stroke-width: 2.5; }\n"
    ".etalon-removed { opacity: 0.6; }"
)


def _svg(tag: str, attrs: dict[str, str] | None = None, text: str | None = None):
    element = etree.Element(f"{{{_SVG_NS}}}{tag}", attrs or {})
    element.text = text
    return element


def _view_box(root: etree._Element) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in root.get("viewBox", "0 0 100 100").split())
    return x, y, w, h


def _old_groups(
    old: BpmnDocument, removed_ids: set[str], diagram_id: str | None
) -> tuple[list[etree._Element], tuple[float, float, float, float] | None]:
    """Copies of the removed elements' groups (and labels) as the older version drew them."""
    try:
        old_svg = render_svg(old, diagram_id=diagram_id)
    except BpmnError:  # the diagram id exists only in the newer file: use the first diagram
        old_svg = render_svg(old)
    old_root = etree.fromstring(old_svg.encode("utf-8"), etree.XMLParser(resolve_entities=False))
    groups = []
    for group in old_root.iter(f"{{{_SVG_NS}}}g"):
        for attribute in ("data-element-id", "data-label-for"):
            if group.get(attribute) in removed_ids:
                ghost = copy.deepcopy(group)
                # Renamed so that finding an element by id in the newer diagram stays exact.
                ghost.set(attribute.replace("data-", "data-removed-"), ghost.attrib.pop(attribute))
                groups.append(ghost)
    return groups, _view_box(old_root) if groups else None


def annotate_diff(
    svg: str, old: BpmnDocument, removed: Sequence[tuple[str, str]], diagram_id: str | None
) -> str:
    """Add to ``svg`` a colour legend under the drawing and, when elements were removed, those
    elements dashed red as the older diagram drew them plus a text list of them (elements the
    chosen diagram does not show are still listed)."""
    root = etree.fromstring(svg.encode("utf-8"), etree.XMLParser(resolve_entities=False))
    x, y, w, h = _view_box(root)
    if removed:
        groups, old_box = _old_groups(old, {element_id for element_id, _ in removed}, diagram_id)
        if groups:
            root.insert(0, _svg("style", {}, _REMOVED_STYLE))
            layer = _svg("g", {"class": "etalon-removed"})
            layer.extend(groups)
            root.append(layer)
        if old_box is not None:
            right = max(x + w, old_box[0] + old_box[2])
            bottom = max(y + h, old_box[1] + old_box[3])
            x, y = min(x, old_box[0]), min(y, old_box[1])
            w, h = right - x, bottom - y
    block = _svg("g", {"class": "etalon-diff-legend"})
    left = x + 20
    for text, colour in _LEGEND:
        attrs = {"x": f"{left:g}", "y": f"{y + h + _LINE_HEIGHT:g}", "fill": colour}
        block.append(_svg("text", attrs, text))
        left += 8.0 * len(text) + 24
    lines = []
    if removed:
        lines = ["Удалено по сравнению с прежней версией:"] + [
            f"– {label} ({element_id})" for element_id, label in removed
        ]
        listing = _svg("g", {"class": "etalon-removed-list"})
        for number, line in enumerate(lines, start=2):
            attrs = {"x": f"{x + 20:g}", "y": f"{y + h + number * _LINE_HEIGHT:g}"}
            attrs["fill"] = REMOVED_STROKE
            listing.append(_svg("text", attrs, line))
        block.append(listing)
    root.append(block)
    h += (len(lines) + 2) * _LINE_HEIGHT
    w = max(w, left - x, 40 + 7.0 * max((len(line) for line in lines), default=0))
    _reframe(root, x, y, w, h)
    return etree.tostring(root, encoding="unicode")


_LEGEND = (
    ("■ добавлено", ADDED.stroke or ""),
    ("■ изменено", CHANGED.stroke or ""),
    ("■ перерисовано заново", REPLACED.stroke or ""),
    ("- - удалено", REMOVED_STROKE),
)


def _reframe(root: etree._Element, x: float, y: float, w: float, h: float) -> None:
    root.set("viewBox", f"{x:g} {y:g} {w:g} {h:g}")
    root.set("width", f"{w:g}")
    root.set("height", f"{h:g}")
    for background in root.iter(f"{{{_SVG_NS}}}rect"):
        if background.get("class") == "bpmn-background":
            for key, value in (("x", x), ("y", y), ("width", w), ("height", h)):
                background.set(key, f"{value:g}")
            break
