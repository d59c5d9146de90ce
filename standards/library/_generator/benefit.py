"""employment.unemployment-benefit — признание гражданина безработным и назначение пособия."""

from __future__ import annotations

from standards.library._generator.model import (
    Checkpoint,
    Deadline,
    Field,
    Form,
    Indicator,
    Lane,
    Process,
    StageDeadline,
    Standard,
    TechCard,
    Version,
)
from standards.library._generator.parts import (
    CAREER_CONSULTANT,
    CZN_HEAD,
    INSPECTOR,
    RETURNED,
    end,
    flow,
    parallel,
    start,
    timer,
    user_task,
    xor,
)

PROCESS_ID = "UnemploymentBenefit"


def build(version: int) -> Process:
    """Return edition ``version`` (1 or 2) of the unemployment-benefit process."""
    v2 = version >= 2
    s = 1 if v2 else 0  # v2 inserts a column for the repeated request to СФР
    earnings = user_task(
        "Task_CheckEarnings",
        "Проверить сведения о заработке и страховом стаже (СФР)",
        "Lane_Inspector",
        3,
        deadline=Deadline("P2D"),
        cards=(TechCard("TK-UB-02", "Проверка сведений о заработке"),),
        result="Сведения о среднем заработке за последние 3 месяца получены и проверены",
        fields=(Field("average_earnings", "number", "Средний заработок, руб.", required=True),),
    )
    nodes = [
        start(
            "Start_Application",
            "Заявление о признании безработным поступило",
            "Lane_Inspector",
            0,
            checkpoint=Checkpoint("CP_APPLICATION", "Заявление поступило"),
        ),
        user_task(
            "Task_CheckEligibility",
            "Проверить основания для признания безработным",
            "Lane_Inspector",
            1,
            checkpoint=Checkpoint("CP_ELIGIBILITY_CHECKED", "Основания проверены", ("returned",)),
            deadline=Deadline("P1D"),
            cards=(TechCard("TK-UB-01", "Проверка оснований признания безработным"),),
            result="Установлено отсутствие работы и заработка, заявление принято к рассмотрению",
            forms=(Form("F-UB-1", "Заявление о признании гражданина безработным"),),
            fields=(RETURNED,),
        ),
        parallel("Fork_Checks", "", "Lane_Inspector", 2),
        earnings,
        user_task(
            "Task_Interview",
            "Провести собеседование и предложить варианты подходящей работы",
            "Lane_Career",
            3,
            checkpoint=Checkpoint("CP_INTERVIEW", "Собеседование проведено", ("offers_refused",)),
            deadline=Deadline("P2D"),
            cards=(TechCard("TK-UB-03", "Собеседование с гражданином"),),
            result="Гражданину предложены варианты подходящей работы, отказы зафиксированы",
            fields=(
                Field("offers_refused", "integer", "Отказов от подходящей работы", required=True),
            ),
        ),
        parallel("Join_Checks", "", "Lane_Inspector", 4 + s),
        user_task(
            "Task_Decide",
            "Принять решение о признании гражданина безработным",
            "Lane_Inspector",
            5 + s,
            checkpoint=Checkpoint("CP_DECISION", "Решение принято", ("decision",)),
            deadline=Deadline("P1D"),
            cards=(TechCard("TK-UB-04", "Принятие решения о признании безработным"),),
            result="Принято решение о признании безработным или об отказе",
            fields=(
                Field(
                    "decision",
                    "enum",
                    "Решение",
                    required=True,
                    values=("recognize", "refuse"),
                ),
            ),
        ),
        xor("Gateway_Decision", "Признан безработным?", "Lane_Inspector", 6 + s, label="above"),
        user_task(
            "Task_AssignBenefit",
            "Назначить пособие по безработице",
            "Lane_Inspector",
            7 + s,
            checkpoint=Checkpoint("CP_BENEFIT_ASSIGNED", "Пособие назначено"),
            deadline=Deadline("P1D"),
            cards=(TechCard("TK-UB-05", "Назначение пособия по безработице"),),
            result="Рассчитан размер и период выплаты пособия",
            fields=(Field("benefit_amount", "number", "Размер пособия, руб.", required=True),),
        ),
        user_task(
            "Task_SignOrder",
            "Подписать приказ о признании безработным и назначении пособия",
            "Lane_Head",
            9 + s,
            checkpoint=Checkpoint("CP_ORDER_SIGNED", "Приказ подписан"),
            deadline=Deadline("P1D"),
            forms=(Form("F-UB-2", "Приказ о признании безработным и назначении пособия"),),
            result="Приказ подписан электронной подписью и доведён до гражданина",
        ),
        end(
            "End_Recognized",
            "Гражданин признан безработным, пособие назначено",
            "Lane_Head",
            10 + s,
        ),
        user_task(
            "Task_NotifyRefusal",
            "Уведомить гражданина об отказе в признании безработным",
            "Lane_Inspector",
            7 + s,
            row=1,
            checkpoint=Checkpoint("CP_REFUSAL_SENT", "Уведомление об отказе направлено"),
            deadline=Deadline("P1D"),
            forms=(Form("F-UB-3", "Уведомление об отказе в признании безработным"),),
        ),
        end("End_Refused", "Отказано в признании безработным", "Lane_Inspector", 8 + s, row=1),
    ]
    flows = [
        flow("Flow_Start_Check", "Start_Application", "Task_CheckEligibility"),
        flow("Flow_Check_Fork", "Task_CheckEligibility", "Fork_Checks"),
        flow("Flow_Fork_Earnings", "Fork_Checks", "Task_CheckEarnings"),
        flow("Flow_Fork_Interview", "Fork_Checks", "Task_Interview"),
        flow("Flow_Earnings_Join", "Task_CheckEarnings", "Join_Checks"),
        flow("Flow_Interview_Join", "Task_Interview", "Join_Checks"),
        flow("Flow_Join_Decide", "Join_Checks", "Task_Decide"),
        flow("Flow_Decide_Gateway", "Task_Decide", "Gateway_Decision"),
        flow(
            "Flow_Recognized",
            "Gateway_Decision",
            "Task_AssignBenefit",
            name="Да",
            condition='decision == "recognize"',
        ),
        flow(
            "Flow_Refused",
            "Gateway_Decision",
            "Task_NotifyRefusal",
            name="Нет",
            default=True,
            exit="bottom",
            enter="left",
        ),
        # Runs right of the refusal end event, so the two branches never cross.
        flow("Flow_Assign_Sign", "Task_AssignBenefit", "Task_SignOrder", channel=8.45 + s),
        flow("Flow_Signed", "Task_SignOrder", "End_Recognized"),
        flow("Flow_RefusalSent", "Task_NotifyRefusal", "End_Refused"),
    ]
    if v2:
        nodes += [
            timer("Timer_EarningsOverdue", "Сведения не получены за 3 дня", earnings, "P3D"),
            user_task(
                "Task_RepeatRequest",
                "Направить повторный запрос сведений о заработке",
                "Lane_Inspector",
                4,
                row=1,
                deadline=Deadline("PT4H"),
                result="Повторный запрос направлен, поставщик сведений уведомлён",
            ),
        ]
        flows += [
            flow("Flow_EarningsOverdue", "Timer_EarningsOverdue", "Task_RepeatRequest"),
            flow(
                "Flow_Repeated",
                "Task_RepeatRequest",
                "Task_CheckEarnings",
                exit="bottom",
                enter="bottom",
            ),
        ]
    decision_days = "P8D" if v2 else "P11D"
    return Process(
        id=PROCESS_ID,
        name="Признание гражданина безработным и назначение пособия по безработице",
        participant="Центр занятости населения",
        kind="process",
        category="main",
        service_code="SZN-02",
        documentation=(
            "ЦМП полномочия по признанию гражданина безработным и назначению пособия по "
            "безработице. Сведения о заработке и собеседование выполняются параллельно."
        ),
        lanes=(
            Lane("Lane_Inspector", "Инспектор по назначению пособий", INSPECTOR),
            Lane("Lane_Career", "Карьерный консультант", CAREER_CONSULTANT),
            Lane("Lane_Head", "Руководитель ЦЗН", CZN_HEAD),
        ),
        nodes=tuple(nodes),
        flows=tuple(flows),
        deadlines=(
            StageDeadline(
                "DL_DECISION",
                "Срок принятия решения о признании безработным",
                "CP_APPLICATION",
                "CP_DECISION",
                decision_days,
                calendar="calendar",
            ),
            StageDeadline(
                "DL_ORDER",
                "Срок подписания приказа",
                "CP_DECISION",
                "CP_ORDER_SIGNED",
                "P2D",
            ),
        ),
        indicators=(
            Indicator(
                "IND_DECISION_ON_TIME",
                "Доля решений о признании безработным в срок",
                "share_within_deadline",
                "percent",
                "higher_better",
                target=95,
                green=95,
                red=85,
                weight=0.4,
                start="CP_APPLICATION",
                end="CP_DECISION",
                deadline=decision_days,
                calendar="calendar",
                actions=(
                    "Проверить сроки получения сведений о заработке по СМЭВ",
                    "Перераспределить дела между инспекторами с учётом загрузки",
                ),
            ),
            Indicator(
                "IND_RETURNS",
                "Доля заявлений, возвращённых на доработку",
                "share_with_flag",
                "percent",
                "lower_better",
                target=0.7,
                green=0.7,
                red=2,
                weight=0.3,
                checkpoint="CP_ELIGIBILITY_CHECKED",
                flag="returned",
                actions=("Провести разбор возвратов с инспектором по технокарте TK-UB-01",),
            ),
            Indicator(
                "IND_DECISION_DURATION",
                "Средний срок принятия решения",
                "duration",
                "days",
                "lower_better",
                target=6 if v2 else 8,
                green=6 if v2 else 8,
                red=8 if v2 else 11,
                weight=0.3,
                start="CP_APPLICATION",
                end="CP_DECISION",
                actions=("Проанализировать дела с максимальным сроком рассмотрения",),
            ),
        ),
    )


STANDARD = Standard(
    key="employment.unemployment-benefit",
    title="Признание гражданина безработным и назначение пособия по безработице",
    versions=(
        Version(
            1, "Первая редакция: решение о признании безработным за 11 календарных дней", build(1)
        ),
        Version(
            2,
            "Срок решения сокращён с 11 до 8 календарных дней, добавлен контроль получения "
            "сведений о заработке (таймер 3 рабочих дня и повторный запрос)",
            build(2),
        ),
    ),
)
