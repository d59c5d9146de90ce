"""Label text: width estimates, word wrapping and placement inside or under a shape.

There is no font engine here, so widths are estimated from per-character classes. The
estimate errs wide, which makes wrapping conservative (lines end early rather than spill).
"""

from __future__ import annotations

from bpmn.render.canvas import Canvas
from bpmn.render.geometry import Bounds
from bpmn.render.style import FONT_SIZE, LINE_HEIGHT

_NARROW = set("il.,:;'|!()[]{}ijtfr \u00a0")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimate the rendered width of ``text`` in a sans-serif font of ``size`` pixels."""
    total = 0.0
    for ch in text:
        if ch in _NARROW:
            total += 0.32
        elif ch in _WIDE:
            total += 0.85
        elif ch.isupper():
            total += 0.68
        elif "\u0400" <= ch <= "\u04ff":
            # Cyrillic lower case runs a little wider than Latin in Arial/DejaVu.
            total += 0.6
        else:
            total += 0.55
    return total * size


def _split_long_word(word: str, max_width: float, size: float) -> list[str]:
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and text_width(current + ch, size) > max_width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def wrap_text(
    text: str, max_width: float, size: float = FONT_SIZE, overflow: float = 1.4
) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width``; explicit newlines are kept.

    A single word wider than the line is cut only when it exceeds ``overflow`` times the
    width; a word a little too long reads better whole than cut in the middle.
    """
    lines: list[str] = []
    max_width = max(max_width, size)
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, size) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
            if text_width(word, size) > max_width * overflow:
                *full, current = _split_long_word(word, max_width, size)
                lines.extend(full)
            else:
                current = word
        if current:
            lines.append(current)
    return lines


def truncate_lines(lines: list[str], max_lines: int) -> list[str]:
    """Keep at most ``max_lines`` lines, marking a cut with an ellipsis."""
    if max_lines < 1:
        max_lines = 1
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    kept[-1] = kept[-1].rstrip() + "\u2026"
    return kept


def fit_text(text: str, width: float, height: float, size: float) -> tuple[float, list[str]]:
    """Pick the largest font size (down to 2px smaller) at which ``text`` fits the box.

    Inside a shape nothing may spill out, so if even the smallest size does not fit, long
    words are cut and the last line ends with an ellipsis.
    """
    longest = max((text_width(word, 1.0) for word in text.split()), default=0.0)
    for trial in (size, size - 1, size - 2):
        lines = wrap_text(text, width, trial, overflow=1.0)
        if longest * trial <= width and len(lines) * trial * LINE_HEIGHT <= height:
            return trial, lines
    smallest = size - 2
    lines = wrap_text(text, width, smallest, overflow=1.0)
    return smallest, truncate_lines(lines, int(height // (smallest * LINE_HEIGHT)) or 1)


def draw_centered(
    canvas: Canvas,
    text: str,
    box: Bounds,
    *,
    size: float = FONT_SIZE,
    padding: float = 4.0,
    valign: str = "middle",
    clip: bool = True,
) -> None:
    """Draw ``text`` wrapped to ``box`` and centred in it (vertically: middle or top)."""
    if not text.strip():
        return
    width = box.width - 2 * padding
    if clip:
        size, lines = fit_text(text, width, box.height - padding, size)
    else:
        lines = wrap_text(text, width, size)
    step = size * LINE_HEIGHT
    block = len(lines) * step
    top = box.y + padding if valign == "top" else box.y + (box.height - block) / 2
    cx = box.x + box.width / 2
    # The baseline sits about 0.8 of the font size below the top of each line box.
    canvas.text_lines(
        ((cx, top + i * step + size * 0.85, line) for i, line in enumerate(lines)), size=size
    )


def draw_left(canvas: Canvas, text: str, box: Bounds, *, size: float = FONT_SIZE) -> None:
    """Draw ``text`` wrapped to ``box``, left-aligned from its top-left corner."""
    lines = wrap_text(text, box.width - 8, size)
    step = size * LINE_HEIGHT
    canvas.text_lines(
        ((box.x + 4, box.y + 4 + i * step + size * 0.85, line) for i, line in enumerate(lines)),
        anchor="start",
        size=size,
    )


def draw_below(
    canvas: Canvas, text: str, shape: Bounds, *, size: float = FONT_SIZE, width: float = 90.0
) -> Bounds | None:
    """Draw ``text`` centred under ``shape`` (events, gateways, data) and return its box."""
    if not text.strip():
        return None
    lines = wrap_text(text, width, size)
    step = size * LINE_HEIGHT
    cx = shape.x + shape.width / 2
    top = shape.bottom + 4
    canvas.text_lines(
        ((cx, top + i * step + size * 0.85, line) for i, line in enumerate(lines)), size=size
    )
    widest = max(text_width(line, size) for line in lines)
    return Bounds(cx - widest / 2, top, widest, len(lines) * step)


def draw_in_label_bounds(canvas: Canvas, text: str, box: Bounds, *, size: float) -> None:
    """Draw ``text`` in the BPMNLabel box a modeller chose; it may overflow, never clip."""
    # Label boxes are often sized for the modeller's font; wrapping at a slightly wider
    # width keeps their line breaks instead of adding one more.
    widened = Bounds(box.x - 6, box.y, box.width + 12, box.height)
    draw_centered(canvas, text, widened, size=size, padding=0.0, valign="top", clip=False)
