"""contact-center.call-handling — обработка обращения в контакт-центре (1-я и 2-я линии).

Service levels of seed 004 (типовые требования к ЦТО): 80/20, lost calls ≤ 5 %, average talk
180 s, wrap-up 60 s, callback within a day when not answered within 10 minutes. Seed 003
(ЕКЦ 8-800-6000-000): up to 30,000 appeals a day on ~600 first-line operators, i.e. 50 per
operator a day; operators escalate incidents to the supervisor.
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
    OPERATOR_LINE1,
    OPERATOR_LINE2,
    SUPERVISOR,
    end,
    flow,
    start,
    timer,
    user_task,
    xor,
)

PROCESS_ID = "ContactCenterCall"
CAL = "calendar"  # the contact centre works 24/7, 365 days a year


def build(version: int) -> Process:
    """Return edition ``version`` (1 or 2) of the call-handling process."""
    v2 = version >= 2
    callback_due = "PT4H" if v2 else "P1D"
    answer = user_task(
        "Task_Answer",
        "Принять вызов",
        "Lane_Line1",
        1,
        checkpoint=Checkpoint("CP_ANSWERED", "Вызов принят оператором"),
        deadline=Deadline("PT20S", CAL),
        cards=(TechCard("TK-CC-01", "Приём входящего вызова"),),
        result="Оператор представился, гражданин идентифицирован при необходимости",
    )
    nodes = (
        start(
            "Start_Call",
            "Входящий вызов на единый номер 8-800",
            "Lane_Line1",
            0,
            checkpoint=Checkpoint("CP_CALL_RECEIVED", "Вызов поступил", ("channel",)),
        ),
        answer,
        timer(
            "Timer_NoAnswer",
            "Нет ответа 10 минут",
            answer,
            "PT10M",
            calendar=CAL,
        ),
        user_task(
            "Task_Callback",
            "Совершить обратный звонок гражданину",
            "Lane_Line1",
            2,
            row=1,
            checkpoint=Checkpoint("CP_CALLBACK", "Обратный звонок выполнен", ("lost",))
            if v2
            else None,
            deadline=Deadline(callback_due, CAL),
            cards=(TechCard("TK-CC-04", "Исходящий вызов по неотвеченному обращению"),),
            result="Гражданину перезвонили, обращение принято в работу",
            fields=(Field("lost", "boolean", "Вызов был потерян (абонент не дождался ответа)"),),
        ),
        xor("Gateway_Connected", "", "Lane_Line1", 2),
        user_task(
            "Task_Consult",
            "Проконсультировать гражданина по экспертной системе",
            "Lane_Line1",
            3,
            checkpoint=Checkpoint("CP_CONSULTED", "Консультация завершена", ("outcome",)),
            deadline=Deadline("PT3M", CAL),
            cards=(TechCard("TK-CC-02", "Консультирование по сценарию экспертной системы ЕКЦ"),),
            result="Дан ответ по сценарию экспертной системы либо определён маршрут эскалации",
            fields=(
                Field(
                    "outcome",
                    "enum",
                    "Итог консультации",
                    required=True,
                    values=("resolved", "line2", "incident"),
                ),
                Field("topic", "string", "Тематика обращения", required=True),
            ),
        ),
        xor("Gateway_Outcome", "Вопрос решён на 1-й линии?", "Lane_Line1", 4, label="above_left"),
        user_task(
            "Task_WrapUp1",
            "Выполнить поствызывную обработку",
            "Lane_Line1",
            5,
            checkpoint=Checkpoint("CP_WRAPPED_UP", "Поствызывная обработка завершена"),
            deadline=Deadline("PT60S", CAL),
            cards=(TechCard("TK-CC-03", "Поствызывная обработка"),),
            result="Карточка обращения заполнена в ИС ЕКЦ",
        ),
        user_task(
            "Task_Incident",
            "Разобрать инцидент, препятствующий обработке обращения",
            "Lane_Supervisor",
            5,
            checkpoint=Checkpoint("CP_INCIDENT_HANDLED", "Инцидент разобран"),
            deadline=Deadline("PT30M", CAL),
            cards=(TechCard("TK-CC-06", "Эскалация инцидентов супервизору"),),
            result="Инцидент устранён или передан администратору ЕКЦ, гражданину дан ответ",
            fields=(Field("incident_note", "string", "Описание инцидента", required=True),),
        ),
        end("End_Incident", "Инцидент разобран", "Lane_Supervisor", 6),
        user_task(
            "Task_Consult2",
            "Проконсультировать по персонифицированному вопросу",
            "Lane_Line2",
            5,
            checkpoint=Checkpoint("CP_LINE2_DONE", "Консультация 2-й линии завершена"),
            deadline=Deadline("PT10M", CAL),
            cards=(TechCard("TK-CC-05", "Консультирование с использованием персональных данных"),),
            result="Дан ответ по компетенции участника ЕКЦ с использованием персональных данных",
        ),
        user_task(
            "Task_WrapUp2",
            "Выполнить поствызывную обработку (2-я линия)",
            "Lane_Line2",
            6,
            deadline=Deadline("PT60S", CAL),
            cards=(TechCard("TK-CC-03", "Поствызывная обработка"),),
        ),
        xor("Gateway_Done", "", "Lane_Line1", 7),
        end(
            "End_Closed",
            "Обращение обработано",
            "Lane_Line1",
            8,
            checkpoint=Checkpoint("CP_CLOSED", "Обращение закрыто", ("lost", "outcome")),
        ),
    )
    flows = (
        flow("Flow_Start_Answer", "Start_Call", "Task_Answer"),
        flow("Flow_Answer_Connected", "Task_Answer", "Gateway_Connected"),
        flow("Flow_NoAnswer", "Timer_NoAnswer", "Task_Callback"),
        flow(
            "Flow_Callback_Connected",
            "Task_Callback",
            "Gateway_Connected",
            exit="top",
            enter="bottom",
        ),
        flow("Flow_Connected_Consult", "Gateway_Connected", "Task_Consult"),
        flow("Flow_Consult_Outcome", "Task_Consult", "Gateway_Outcome"),
        flow("Flow_Resolved", "Gateway_Outcome", "Task_WrapUp1", name="Да", default=True),
        flow(
            "Flow_ToLine2",
            "Gateway_Outcome",
            "Task_Consult2",
            name="На 2-ю линию",
            condition='outcome == "line2"',
            exit="bottom",
            enter="left",
        ),
        flow(
            "Flow_ToSupervisor",
            "Gateway_Outcome",
            "Task_Incident",
            name="Инцидент",
            condition='outcome == "incident"',
            exit="top",
            enter="left",
        ),
        flow("Flow_Incident_End", "Task_Incident", "End_Incident"),
        flow("Flow_Consult2_WrapUp2", "Task_Consult2", "Task_WrapUp2"),
        flow("Flow_WrapUp1_Done", "Task_WrapUp1", "Gateway_Done"),
        flow("Flow_WrapUp2_Done", "Task_WrapUp2", "Gateway_Done", exit="right", enter="bottom"),
        flow("Flow_Done_End", "Gateway_Done", "End_Closed"),
    )
    deadlines = [
        StageDeadline(
            "DL_ANSWER",
            "Ожидание ответа оператора",
            "CP_CALL_RECEIVED",
            "CP_ANSWERED",
            "PT20S",
            CAL,
        ),
        StageDeadline(
            "DL_WRAP_UP", "Поствызывная обработка", "CP_CONSULTED", "CP_WRAPPED_UP", "PT60S", CAL
        ),
    ]
    indicators = [
        Indicator(
            "IND_SERVICE_LEVEL",
            "Уровень обслуживания 80/20 (доля вызовов, принятых за 20 секунд)",
            "share_within_deadline",
            "percent",
            "higher_better",
            target=80,
            green=80,
            red=70,
            weight=0.3,
            start="CP_CALL_RECEIVED",
            end="CP_ANSWERED",
            deadline="PT20S",
            calendar=CAL,
            actions=(
                "Перераспределить операторов между сменами по прогнозу нагрузки",
                "Привлечь операторов 2-й линии к приёму вызовов 1-й линии по назначению "
                "супервизора",
            ),
        ),
        Indicator(
            "IND_LOST_CALLS",
            "Доля потерянных вызовов",
            "share_with_flag",
            "percent",
            "lower_better",
            target=5,
            green=5,
            red=8,
            weight=0.25,
            checkpoint="CP_CLOSED",
            flag="lost",
            actions=("Проверить настройки очереди и IVR, организовать обратные звонки",),
        ),
        Indicator(
            "IND_TALK_TIME",
            "Средняя продолжительность разговора",
            "duration",
            "seconds",
            "lower_better",
            target=180,
            green=180,
            red=240,
            weight=0.15,
            start="CP_ANSWERED",
            end="CP_CONSULTED",
            actions=(
                "Прослушать записи длинных разговоров и уточнить сценарий экспертной системы",
            ),
        ),
        Indicator(
            "IND_WRAP_UP_TIME",
            "Среднее время поствызывной обработки",
            "duration",
            "seconds",
            "lower_better",
            target=60,
            green=60,
            red=90,
            weight=0.1,
            start="CP_CONSULTED",
            end="CP_WRAPPED_UP",
            actions=("Упростить карточку обращения, использовать шаблоны тематик",),
        ),
        Indicator(
            "IND_CALLS_PER_OPERATOR",
            "Обращений на оператора 1-й линии в сутки",
            "count_per_employee",
            "count",
            "higher_better",
            target=50,
            green=50,
            red=40,
            weight=0.1,
            checkpoint="CP_CONSULTED",
            actions=("Проверить занятость операторов и долю времени в статусе «перерыв»",),
        ),
    ]
    if v2:
        deadlines.append(
            StageDeadline(
                "DL_CALLBACK",
                "Обратный звонок по неотвеченному вызову",
                "CP_CALL_RECEIVED",
                "CP_CALLBACK",
                "PT4H",
                CAL,
            )
        )
        indicators.append(
            Indicator(
                "IND_CALLBACK_ON_TIME",
                "Доля обратных звонков в течение 4 часов",
                "share_within_deadline",
                "percent",
                "higher_better",
                target=95,
                green=95,
                red=85,
                weight=0.1,
                start="CP_CALL_RECEIVED",
                end="CP_CALLBACK",
                deadline="PT4H",
                calendar=CAL,
                actions=("Закрепить за сменой оператора исходящих вызовов",),
            )
        )
    return Process(
        id=PROCESS_ID,
        name="Обработка обращения в контакт-центре",
        participant="Единый контакт-центр (ЕКЦ)",
        kind="process",
        category="main",
        service_code="EKC-01",
        documentation=(
            "ЦМП обработки обращения на единый номер: 1-я линия по экспертной системе, "
            "персонифицированные вопросы на 2-й линии, инциденты — супервизору. Работа 24/7."
        ),
        lanes=(
            Lane("Lane_Supervisor", "Супервизор", SUPERVISOR),
            Lane("Lane_Line1", "Оператор 1-й линии", OPERATOR_LINE1),
            Lane("Lane_Line2", "Оператор 2-й линии", OPERATOR_LINE2),
        ),
        nodes=nodes,
        flows=flows,
        deadlines=tuple(deadlines),
        indicators=tuple(indicators),
    )


STANDARD = Standard(
    key="contact-center.call-handling",
    title="Обработка обращения в контакт-центре",
    versions=(
        Version(
            1, "Первая редакция: 80/20, потерянные ≤ 5 %, обратный звонок в течение суток", build(1)
        ),
        Version(
            2,
            "Срок обратного звонка сокращён с 24 до 4 часов, добавлена КТ «Обратный звонок "
            "выполнен» и показатель доли обратных звонков в срок",
            build(2),
        ),
    ),
)
