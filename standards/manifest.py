"""The manifest of a version: what regional systems and people need to know of it without
reading BPMN — processes, checkpoints with their deadlines, indicators, roles, called processes.
Computed once at upload from the extracted model and stored with the version."""

from __future__ import annotations

from typing import Any

from bpmn.model import Definitions, Duration, Indicator


def _duration(duration: Duration | None, raw: str | None = None) -> dict[str, Any] | None:
    if duration is None:
        return {"iso": raw, "valid": False} if raw else None
    return {"iso": duration.iso(), "calendar": duration.calendar}


def _indicator(indicator: Indicator) -> dict[str, Any]:
    corridor = indicator.corridor
    return {
        "id": indicator.id,
        "name": indicator.name,
        "kind": indicator.kind,
        "process_id": indicator.process_id,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "target": indicator.target,
        "weight": indicator.weight,
        "from": indicator.from_checkpoint,
        "to": indicator.to_checkpoint,
        "checkpoint": indicator.checkpoint,
        "deadline": _duration(indicator.deadline, indicator.deadline_raw),
        "flag": indicator.flag,
        "attribute": indicator.attribute,
        "corridor": {"green": corridor.green, "red": corridor.red} if corridor else None,
        "actions": list(indicator.actions),
    }


def build_manifest(definitions: Definitions) -> dict[str, Any]:
    """A JSON-ready description of the document's Etalon-relevant content."""
    checkpoints = []
    for process in definitions.processes:
        for node in process.flow_nodes:
            for checkpoint in node.checkpoints:
                deadline = node.deadline
                checkpoints.append(
                    {
                        "id": checkpoint.id,
                        "name": checkpoint.name or node.name,
                        "node_id": node.id,
                        "node_type": node.type,
                        "process_id": process.id,
                        "attributes": list(checkpoint.attributes),
                        "deadline": _duration(deadline.duration, deadline.raw)
                        if deadline
                        else None,
                    }
                )
    roles: dict[str, str | None] = {}
    for role in definitions.roles:
        if role.code:
            roles.setdefault(role.code, role.name)
    return {
        "processes": [
            {
                "id": p.id,
                "name": p.name,
                "executable": bool(p.is_executable),
                "kind": p.standard.kind if p.standard else None,
                "category": p.standard.category if p.standard else None,
                "service_code": p.standard.service_code if p.standard else None,
                "supports": [s.process for s in p.supports if s.process],
                "flow_nodes": len(p.flow_nodes),
            }
            for p in definitions.processes
        ],
        "checkpoints": checkpoints,
        "deadlines": [
            {
                "id": d.id,
                "name": d.name,
                "from": d.from_checkpoint,
                "to": d.to_checkpoint,
                "duration": _duration(d.duration, d.raw),
            }
            for p in definitions.processes
            for d in p.deadlines
        ],
        "indicators": [_indicator(i) for i in definitions.indicators],
        "roles": [{"code": code, "name": name} for code, name in sorted(roles.items())],
        "called_processes": sorted(definitions.called_processes),
    }
