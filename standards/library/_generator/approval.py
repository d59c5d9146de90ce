"""etalon.standard-approval — the route Etalon itself uses to approve a standard.

Seed 001: ФЦК СЗ develops standards, Роструд checks that the target process matches the
ЕЦП functionality, Минтруд approves. Every stage either approves (forward) or returns the
standard to its author for rework, after which expert review starts again. Returning is the
default flow: a standard moves forward only on an explicit ``approve``.
"""

from __future__ import annotations

from standards.library._generator.model import (
    Checkpoint,
    Deadline,
    Field,
    Indicator,
    Lane,
    Process,
    StageDeadline,
    Standard,
    TechCard,
    Version,
)
from standards.library._generator.parts import (
    AUTHOR,
    COMMENT,
    LEAD_METHODOLOGIST,
    MINTRUD_APPROVER,
    ROSTRUD_EXPERT,
    end,
    flow,
    start,
    user_task,
    xor,
)

PROCESS_ID = "StandardApproval"
DECISION = Field("decision", "enum", "Решение", required=True, values=("approve", "return"))
APPROVE = 'decision == "approve"'


def build() -> Process:
    """Return the approval route (a single edition)."""
    stages = (
        # (task id, task name, lane, column, checkpoint, gateway id, gateway name)
        (
            "Task_ExpertReview",
            "Провести экспертизу стандарта",
            "Lane_Methodologist",
            1,
            Checkpoint("CP_EXPERT_REVIEWED", "Экспертиза проведена", ("decision",)),
            "Gateway_Expert",
            "Экспертиза пройдена?",
        ),
        (
            "Task_Conformance",
            "Проверить соответствие функционалу ЕЦП",
            "Lane_Rostrud",
            3,
            Checkpoint("CP_CONFORMANCE_CHECKED", "Соответствие проверено", ("decision",)),
            "Gateway_Rostrud",
            "Соответствует?",
        ),
        (
            "Task_Approve",
            "Утвердить стандарт",
            "Lane_Mintrud",
            5,
            Checkpoint("CP_MINTRUD_REVIEWED", "Рассмотрено Минтрудом", ("decision",)),
            "Gateway_Mintrud",
            "Утвердить?",
        ),
    )
    cards = {
        "Task_ExpertReview": TechCard("TK-APR-01", "Экспертиза стандарта ведущим методологом"),
        "Task_Conformance": TechCard("TK-APR-02", "Проверка соответствия функционалу ЕЦП"),
        "Task_Approve": TechCard("TK-APR-03", "Утверждение стандарта"),
    }
    nodes = [
        start(
            "Start_Submitted",
            "Стандарт направлен на утверждение",
            "Lane_Author",
            0,
            checkpoint=Checkpoint("CP_SUBMITTED", "Направлен на утверждение"),
        ),
        user_task(
            "Task_Rework",
            "Доработать стандарт по замечаниям",
            "Lane_Author",
            3,
            checkpoint=Checkpoint("CP_REWORKED", "Стандарт доработан"),
            deadline=Deadline("P5D"),
            result="Замечания устранены, новая редакция направлена на экспертизу",
            fields=(Field("comment", "string", "Что исправлено", required=True),),
        ),
        end(
            "End_Approved",
            "Утверждено",
            "Lane_Mintrud",
            7,
            checkpoint=Checkpoint("CP_APPROVED", "Стандарт утверждён"),
        ),
    ]
    flows = [
        flow("Flow_Submitted", "Start_Submitted", "Task_ExpertReview"),
        flow("Flow_Reworked", "Task_Rework", "Task_ExpertReview", exit="left", enter="top"),
    ]
    next_step = {
        "Gateway_Expert": "Task_Conformance",
        "Gateway_Rostrud": "Task_Approve",
        "Gateway_Mintrud": "End_Approved",
    }
    # Each return edge reaches the rework task from its own side so that none overlap.
    returns = {
        "Gateway_Expert": {
            "exit": "top",
            "enter": "bottom",
            "channel": 155,
            "channel_lane": "Lane_Author",
        },
        "Gateway_Rostrud": {"exit": "top", "enter": "right"},
        "Gateway_Mintrud": {
            "exit": "top",
            "enter": "top",
            "channel": 22,
            "channel_lane": "Lane_Author",
        },
    }
    for task_id, name, lane, col, checkpoint, gateway_id, gateway_name in stages:
        nodes.append(
            user_task(
                task_id,
                name,
                lane,
                col,
                checkpoint=checkpoint,
                deadline=Deadline("P5D"),
                cards=(cards[task_id],),
                result="Решение: утвердить этап или вернуть автору с комментарием",
                fields=(DECISION, COMMENT),
            )
        )
        # Returns leave through the top and approvals mostly through the bottom.
        label = "below" if gateway_id == "Gateway_Mintrud" else "above_left"
        nodes.append(xor(gateway_id, gateway_name, lane, col + 1, label=label))
        flows += [
            flow(f"Flow_{task_id}_Decision", task_id, gateway_id),
            flow(
                f"Flow_{gateway_id}_Approve",
                gateway_id,
                next_step[gateway_id],
                name="Утвердить",
                condition=APPROVE,
            ),
            flow(
                f"Flow_{gateway_id}_Return",
                gateway_id,
                "Task_Rework",
                name="Вернуть",
                default=True,
                **returns[gateway_id],
            ),
        ]
    return Process(
        id=PROCESS_ID,
        name="Согласование и утверждение стандарта",
        participant="АИС ЦМП «Эталон»",
        kind="process",
        category="main",
        service_code="ETALON-APR",
        documentation=(
            "Маршрут утверждения стандарта (ЦМП/ЦМО): экспертиза ведущего методолога ФЦК СЗ, "
            "проверка Роструда на соответствие функционалу ЕЦП, утверждение Минтрудом России."
        ),
        lanes=(
            Lane("Lane_Author", "Автор стандарта", AUTHOR),
            Lane("Lane_Methodologist", "Методолог ФЦК СЗ", LEAD_METHODOLOGIST),
            Lane("Lane_Rostrud", "Роструд", ROSTRUD_EXPERT),
            Lane("Lane_Mintrud", "Минтруд России", MINTRUD_APPROVER),
        ),
        nodes=tuple(nodes),
        flows=tuple(flows),
        deadlines=(
            StageDeadline("DL_EXPERT", "Экспертиза", "CP_SUBMITTED", "CP_EXPERT_REVIEWED", "P5D"),
            StageDeadline(
                "DL_CONFORMANCE",
                "Проверка Роструда",
                "CP_EXPERT_REVIEWED",
                "CP_CONFORMANCE_CHECKED",
                "P5D",
            ),
            StageDeadline(
                "DL_APPROVAL",
                "Утверждение Минтрудом",
                "CP_CONFORMANCE_CHECKED",
                "CP_APPROVED",
                "P10D",
            ),
            StageDeadline("DL_TOTAL", "Срок утверждения", "CP_SUBMITTED", "CP_APPROVED", "P20D"),
        ),
        indicators=(
            Indicator(
                "IND_APPROVAL_DURATION",
                "Средний срок утверждения стандарта",
                "duration",
                "working_days",
                "lower_better",
                target=15,
                green=15,
                red=25,
                weight=0.5,
                start="CP_SUBMITTED",
                end="CP_APPROVED",
                actions=("Провести совместное совещание методолога, Роструда и Минтруда",),
            ),
            Indicator(
                "IND_EXPERT_ON_TIME",
                "Доля экспертиз в срок 5 рабочих дней",
                "share_within_deadline",
                "percent",
                "higher_better",
                target=90,
                green=90,
                red=75,
                weight=0.5,
                start="CP_SUBMITTED",
                end="CP_EXPERT_REVIEWED",
                deadline="P5D",
                calendar="working",
                actions=("Перераспределить экспертизы между ведущими методологами",),
            ),
        ),
    )


STANDARD = Standard(
    key="etalon.standard-approval",
    title="Согласование и утверждение стандарта",
    versions=(
        Version(
            1,
            "Маршрут: экспертиза методолога → проверка Роструда → утверждение Минтрудом, "
            "возврат автору на любом этапе",
            build(),
        ),
    ),
)
