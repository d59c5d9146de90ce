"""Write every standard of the library and its catalogue, or check they are up to date."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from standards.library._generator import (
    appeals,
    approval,
    benefit,
    contact_center,
    office,
    registration,
    social,
)
from standards.library._generator.model import Standard
from standards.library._generator.writer import serialize

logger = logging.getLogger(__name__)

LIBRARY = Path(__file__).resolve().parent.parent

STANDARDS: tuple[Standard, ...] = (
    registration.STANDARD,
    benefit.STANDARD,
    office.STANDARD,
    social.SUPPORT,
    social.REQUEST,
    appeals.STANDARD,
    contact_center.STANDARD,
    approval.STANDARD,
)


def catalog_entry(standard: Standard) -> dict:
    """Return the catalogue record of ``standard`` (the shape of ``catalog.json``)."""
    process = standard.versions[0].process
    return {
        "key": standard.key,
        "title": standard.title,
        "kind": process.kind,
        "category": process.category,
        "service_code": process.service_code,
        "owning_unit": standard.owning_unit,
        "process_id": process.id,
        "supports": list(process.supports),
        "calls": list(standard.calls),
        "versions": [
            {"number": v.number, "file": f"v{v.number}.bpmn", "note": v.note}
            for v in standard.versions
        ],
    }


def render_files() -> dict[Path, bytes]:
    """Return the content of every generated file keyed by its path in the library."""
    files: dict[Path, bytes] = {}
    for standard in STANDARDS:
        for version in standard.versions:
            files[LIBRARY / standard.key / f"v{version.number}.bpmn"] = serialize(version.process)
    catalog = {"standards": [catalog_entry(s) for s in STANDARDS]}
    text = json.dumps(catalog, ensure_ascii=False, indent=2) + "\n"
    files[LIBRARY / "catalog.json"] = text.encode("utf-8")
    return files


def main(argv: list[str]) -> int:
    """Write the files, or with ``--check`` report those that differ from the generator."""
    parser = argparse.ArgumentParser(prog="python -m standards.library._generator")
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for path, content in render_files().items():
        current = path.read_bytes() if path.exists() else None
        if current == content:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    for path in stale:
        print(("stale: " if args.check else "wrote: ") + str(path.relative_to(LIBRARY)))
    return 1 if args.check and stale else 0
