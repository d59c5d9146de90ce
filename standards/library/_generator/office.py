"""employment.office-model — целевая модель организации (ЦМО) центра занятости населения.

The organisation model shows the office's units and roles as lanes and how a visitor is
routed to the main processes (registration, unemployment benefit) and the supporting one
(inter-agency request), each reached through a call activity.
"""

from __future__ import annotations

from standards.library._generator import benefit, registration, social
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
    CAREER_CONSULTANT,
    CZN_HEAD,
    HALL_ADMINISTRATOR,
    INSPECTOR,
    REGISTRATION_SPECIALIST,
    SMEV_SPECIALIST,
    call,
    end,
    flow,
    start,
    timer,
    user_task,
    xor,
)

PROCESS_ID = "EmploymentOfficeModel"


def build(version: int) -> Process:
    """Return edition ``version`` (1 or 2) of the employment-office organisation model."""
    v2 = version >= 2
    # v2 hands consultations from the hall administrator to a career consultant (new role).
    consult_lane = "Lane_Career" if v2 else "Lane_Hall"
    routing = "PT10M" if v2 else "PT15M"
    lanes = [Lane("Lane_Hall", "Администратор клиентского зала", HALL_ADMINISTRATOR)]
    if v2:
        lanes.append(Lane("Lane_Career", "Карьерный консультант", CAREER_CONSULTANT))
    lanes += [
        Lane(
            "Lane_Registration",
            "Специалист по регистрации",
            REGISTRATION_SPECIALIST,
        ),
        Lane("Lane_Smev", "Межведомственное взаимодействие", SMEV_SPECIALIST),
        Lane("Lane_Inspector", "Инспектор по назначению пособий", INSPECTOR),
        Lane("Lane_Head", "Руководитель ЦЗН", CZN_HEAD),
    ]
    benefit_call = call(
        "Call_Benefit",
        "Признание безработным и назначение пособия",
        "Lane_Inspector",
        6,
        benefit.PROCESS_ID,
        checkpoint=Checkpoint("CP_BENEFIT_DONE", "Решение по пособию принято"),
        deadline=Deadline("P11D", "calendar"),
    )
    nodes = (
        start(
            "Start_Visit",
            "Гражданин обратился в ЦЗН",
            "Lane_Hall",
            0,
            checkpoint=Checkpoint("CP_VISIT", "Обращение в ЦЗН"),
        ),
        user_task(
            "Task_Route",
            "Определить жизненную ситуацию и маршрут гражданина",
            "Lane_Hall",
            1,
            checkpoint=Checkpoint("CP_ROUTED", "Маршрут определён", ("service",)),
            deadline=Deadline(routing),
            cards=(TechCard("TK-CMO-01", "Навигация гражданина в клиентском зале"),),
            result="Гражданин направлен к специалисту по нужной услуге без ожидания в очереди",
            fields=(
                Field(
                    "service",
                    "enum",
                    "Нужная услуга",
                    required=True,
                    values=("registration", "consultation"),
                ),
                Field("apply_benefit", "boolean", "Гражданин просит признать его безработным"),
            ),
        ),
        xor("Gateway_Route", "Какая услуга нужна?", "Lane_Hall", 2, label="above"),
        user_task(
            "Task_Consult",
            "Проконсультировать о мерах содействия занятости",
            consult_lane,
            3,
            checkpoint=Checkpoint("CP_CONSULTED", "Консультация проведена"),
            deadline=Deadline("PT30M"),
            cards=(TechCard("TK-CMO-02", "Консультирование о мерах содействия занятости"),),
        ),
        end("End_Consulted", "Гражданин проконсультирован", consult_lane, 4),
        call(
            "Call_Registration",
            "Регистрация в целях поиска подходящей работы",
            "Lane_Registration",
            3,
            registration.PROCESS_ID,
            checkpoint=Checkpoint("CP_REGISTRATION_DONE", "Регистрация завершена"),
            deadline=Deadline("P1D"),
        ),
        xor(
            "Gateway_Benefit",
            "Требуется признание безработным?",
            "Lane_Registration",
            4,
            label="above",
        ),
        call(
            "Call_Interagency",
            "Запросить сведения о заработке (СМЭВ)",
            "Lane_Smev",
            5,
            social.REQUEST_ID,
            deadline=Deadline("P5D"),
        ),
        benefit_call,
        timer(
            "Timer_BenefitAtRisk",
            "Срок решения под угрозой",
            benefit_call,
            "P8D",
            calendar="calendar",
            interrupting=False,
        ),
        user_task(
            "Task_TakeControl",
            "Взять дело гражданина на личный контроль",
            "Lane_Head",
            7,
            deadline=Deadline("P1D"),
            result="Руководитель определил меры, чтобы решение было принято в срок",
        ),
        end("End_Controlled", "Дело на контроле руководителя", "Lane_Head", 8),
        xor("Gateway_ServiceDone", "", "Lane_Registration", 7),
        end(
            "End_Served",
            "Гражданин обслужен",
            "Lane_Registration",
            8,
            checkpoint=Checkpoint("CP_SERVED", "Гражданин обслужен"),
        ),
    )
    flows = (
        flow("Flow_Visit_Route", "Start_Visit", "Task_Route"),
        flow("Flow_Route_Gateway", "Task_Route", "Gateway_Route"),
        flow(
            "Flow_ToRegistration",
            "Gateway_Route",
            "Call_Registration",
            name="Регистрация",
            condition='service == "registration"',
            exit="bottom",
            enter="left",
        ),
        flow(
            "Flow_ToConsult",
            "Gateway_Route",
            "Task_Consult",
            name="Консультация",
            default=True,
            **({"exit": "right", "enter": "top"} if v2 else {}),
        ),
        flow("Flow_Consulted", "Task_Consult", "End_Consulted"),
        flow("Flow_Registered", "Call_Registration", "Gateway_Benefit"),
        flow(
            "Flow_NeedBenefit",
            "Gateway_Benefit",
            "Call_Interagency",
            name="Да",
            condition="apply_benefit == True",
        ),
        flow(
            "Flow_NoBenefit",
            "Gateway_Benefit",
            "Gateway_ServiceDone",
            name="Нет",
            default=True,
        ),
        flow("Flow_Smev_Benefit", "Call_Interagency", "Call_Benefit"),
        flow("Flow_BenefitAtRisk", "Timer_BenefitAtRisk", "Task_TakeControl"),
        flow("Flow_Controlled", "Task_TakeControl", "End_Controlled"),
        flow(
            "Flow_Benefit_Done", "Call_Benefit", "Gateway_ServiceDone", exit="right", enter="bottom"
        ),
        flow("Flow_Done_End", "Gateway_ServiceDone", "End_Served"),
    )
    return Process(
        id=PROCESS_ID,
        name="Целевая модель организации центра занятости населения",
        participant="Центр занятости населения (ЦМО)",
        kind="organization",
        category="main",
        service_code="CMO-CZN",
        documentation=(
            "ЦМО центра занятости населения: подразделения и роли (дорожки), маршрутизация "
            "гражданина в клиентском зале, основные процессы (регистрация, признание "
            "безработным) и обеспечивающий процесс (межведомственный запрос)."
        ),
        lanes=tuple(lanes),
        nodes=nodes,
        flows=flows,
        deadlines=(
            StageDeadline(
                "DL_ROUTING",
                "Время маршрутизации в клиентском зале",
                "CP_VISIT",
                "CP_ROUTED",
                routing,
            ),
        ),
        indicators=(
            Indicator(
                "IND_ROUTING_TIME",
                "Среднее время маршрутизации в клиентском зале",
                "duration",
                "minutes",
                "lower_better",
                target=10 if v2 else 15,
                green=10 if v2 else 15,
                red=20,
                weight=0.4,
                start="CP_VISIT",
                end="CP_ROUTED",
                actions=("Перераспределить администраторов зала по часам пиковой нагрузки",),
            ),
            Indicator(
                "IND_REGISTERED_SAME_DAY",
                "Доля граждан, зарегистрированных в день обращения",
                "share_within_deadline",
                "percent",
                "higher_better",
                target=90,
                green=90,
                red=80,
                weight=0.4,
                start="CP_VISIT",
                end="CP_REGISTRATION_DONE",
                deadline="P1D",
                calendar="working",
                actions=("Проверить укомплектованность отдела регистрации",),
            ),
            Indicator(
                "IND_VISITS_PER_ADMINISTRATOR",
                "Граждан на администратора зала в день",
                "count_per_employee",
                "count",
                "higher_better",
                target=40,
                green=40,
                red=25,
                weight=0.2,
                checkpoint="CP_ROUTED",
            ),
        ),
    )


STANDARD = Standard(
    key="employment.office-model",
    title="Целевая модель организации центра занятости населения",
    calls=(
        "employment.job-seeker-registration",
        "employment.unemployment-benefit",
        "social.interagency-request",
    ),
    versions=(
        Version(1, "Первая редакция ЦМО: консультирует администратор клиентского зала", build(1)),
        Version(
            2,
            "Консультирование передано карьерному консультанту (новая роль), время "
            "маршрутизации сокращено с 15 до 10 минут",
            build(2),
        ),
    ),
)
