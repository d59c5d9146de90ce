"""Moving a running instance to another version of its spec, with SpiffWorkflow's own diff."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.util.diff import diff_workflow as spiff_diff_workflow
from SpiffWorkflow.bpmn.util.diff import migrate_workflow as spiff_migrate_workflow
from SpiffWorkflow.util.task import TaskState as SpiffTaskState

from engine.spiff.parser import ParsedSpec
from engine.spiff.serializer import state_serializer
from engine.spiff.workflow import Workflow

_LIVE = SpiffTaskState.READY | SpiffTaskState.WAITING | SpiffTaskState.STARTED
_KEPT_MARKS = ("etalon_reached", "etalon_completed", "event_value", "etalon_working_due")


def migration_problems(workflow: Workflow, new: ParsedSpec) -> list[str]:
    """Why ``workflow`` cannot move to the spec ``new`` (empty when it can).

    Uses SpiffWorkflow's own diff: a task that ran or waits on a node the new version no
    longer has cannot be re-attached; nor can a called process the new version does not
    supply.
    """
    top, subs = spiff_diff_workflow(
        state_serializer.registry, workflow.spiff, new.spec, new.subprocess_specs
    )
    problems = [_removed(task, "") for task in top.removed if _matters(task)]
    for sp_id, sub_diff in subs.items():
        sub = workflow.spiff.subprocesses[sp_id]
        if sub_diff is None:
            problems.append(f"the called process {sub.spec.name} is not part of the new version")
            continue
        prefix = f"{sub.spec.name}/"
        problems += [_removed(task, prefix) for task in sub_diff.removed if _matters(task)]
    return problems


def _matters(task: Any) -> bool:
    return task.has_state(_LIVE | SpiffTaskState.COMPLETED | SpiffTaskState.ERROR)


def _removed(task: Any, prefix: str) -> str:
    state = "waits at" if task.has_state(_LIVE) else "passed"
    name = task.task_spec.bpmn_id or task.task_spec.name
    return f"the instance {state} {prefix}{name}, which the new version no longer has"


def migrate(workflow: Workflow, new: ParsedSpec) -> Workflow:
    """Move ``workflow`` to the spec ``new`` and return the façade over the moved workflow.

    Check :func:`migration_problems` first. Ready and waiting tasks keep their ids; their
    checkpoint marks and timer due times survive the re-prediction Spiff does on migration.
    """
    spiff = workflow.spiff
    kept = {
        task.id: {k: task.internal_data[k] for k in _KEPT_MARKS if k in task.internal_data}
        for task in spiff.get_tasks(state=_LIVE)
    }
    top, subs = spiff_diff_workflow(
        state_serializer.registry, spiff, new.spec, new.subprocess_specs
    )
    spiff_migrate_workflow(top, spiff, new.spec)
    for sp_id, sub_diff in subs.items():
        sub = spiff.subprocesses[sp_id]
        spiff_migrate_workflow(sub_diff, sub, new.subprocess_specs[sub.spec.name])
    spiff.subprocess_specs = dict(new.subprocess_specs)
    for task in spiff.get_tasks():
        if task.id in kept:
            task.internal_data.update(kept[task.id])
    moved = Workflow(
        new,
        spiff,
        trusted=workflow.trusted,
        calendar=workflow.calendar,
        on_checkpoint=workflow.on_checkpoint,
        timezone=workflow.timezone,
    )
    moved.run_engine_steps()
    return moved
