"""employment.job-seeker-registration — регистрация гражданина в целях поиска подходящей работы."""

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
    EMPLOYER_SPECIALIST,
    REGISTRATION_SPECIALIST,
    RETURNED,
    end,
    flow,
    start,
    timer,
    user_task,
    xor,
)

PROCESS_ID = "JobSeekerRegistration"


def build(version: int) -> Process:
    """Return edition ``version`` (1 or 2) of the registration process."""
    v2 = version >= 2
    # v2 hands the choice of vacancies to the career consultant, who profiles the citizen first.
    offer_lane = "Lane_Career" if v2 else "Lane_Employer"
    lanes = (
        Lane("Lane_Registration", "Специалист по регистрации", REGISTRATION_SPECIALIST),
        Lane("Lane_Career", "Карьерный консультант", CAREER_CONSULTANT)
        if v2
        else Lane("Lane_Employer", "Специалист по работе с работодателями", EMPLOYER_SPECIALIST),
        Lane("Lane_Head", "Руководитель ЦЗН", CZN_HEAD),
    )
    register = user_task(
        "Task_Register",
        "Зарегистрировать гражданина в целях поиска подходящей работы",
        "Lane_Registration",
        3,
        checkpoint=Checkpoint("CP_REGISTERED", "Гражданин зарегистрирован"),
        deadline=Deadline("P1D"),
        cards=(TechCard("TK-REG-02", "Регистрация гражданина в целях поиска подходящей работы"),),
        result="Гражданин зарегистрирован на ЕЦП «Работа в России», сформировано личное дело",
        forms=(Form("F-REG-2", "Личное дело получателя государственных услуг"),),
        fields=(Field("registration_date", "date", "Дата регистрации", required=True),),
    )
    offer_col = 5 if v2 else 4
    nodes = [
        start(
            "Start_Application",
            "Заявление поступило с ЕЦП «Работа в России»",
            "Lane_Registration",
            0,
            checkpoint=Checkpoint("CP_APPLICATION", "Заявление поступило", ("channel",)),
        ),
        user_task(
            "Task_CheckApplication",
            "Проверить заявление и сведения о гражданине",
            "Lane_Registration",
            1,
            checkpoint=Checkpoint("CP_DOCS_CHECKED", "Заявление проверено", ("returned",)),
            deadline=Deadline("PT4H"),
            cards=(TechCard("TK-REG-01", "Приём и проверка заявления о регистрации"),),
            result="Сведения заявления сверены с данными ЕЦП, решение о полноте сведений",
            forms=(Form("F-REG-1", "Заявление о регистрации в целях поиска подходящей работы"),),
            fields=(
                RETURNED,
                Field("channel", "enum", "Канал подачи", values=("epgu", "czn", "mfc")),
            ),
        ),
        xor("Gateway_Complete", "Сведения полные?", "Lane_Registration", 2, label="above"),
        user_task(
            "Task_Clarify",
            "Запросить уточнение сведений у гражданина",
            "Lane_Registration",
            2,
            row=1,
            deadline=Deadline("P1D"),
            cards=(TechCard("TK-REG-01", "Приём и проверка заявления о регистрации"),),
            result="Гражданину направлено уведомление в личный кабинет о необходимости уточнения",
            fields=(Field("clarification", "string", "Что требуется уточнить", required=True),),
        ),
        register,
        timer(
            "Timer_RegistrationOverdue",
            "Срок регистрации истёк",
            register,
            "P1D",
            interrupting=False,
        ),
        user_task(
            "Task_ReviewOverdue",
            "Разобрать причину нарушения срока регистрации",
            "Lane_Head",
            4,
            deadline=Deadline("P1D"),
            result="Причина установлена, назначены меры (перераспределение нагрузки)",
            fields=(Field("cause", "string", "Причина нарушения срока", required=True),),
        ),
        end("End_OverdueReviewed", "Нарушение срока разобрано", "Lane_Head", 5),
        user_task(
            "Task_OfferVacancies",
            "Подобрать и предложить варианты подходящей работы",
            offer_lane,
            offer_col,
            checkpoint=Checkpoint(
                "CP_VACANCIES_OFFERED", "Варианты работы предложены", ("vacancies_offered",)
            ),
            deadline=Deadline("P1D" if v2 else "P2D"),
            cards=(TechCard("TK-REG-03", "Подбор вариантов подходящей работы"),),
            result="Гражданину выданы направления на собеседование с работодателями",
            forms=(Form("F-REG-3", "Направление на работу"),),
            fields=(Field("vacancies_offered", "integer", "Предложено вакансий", required=True),),
        ),
        end(
            "End_Registered",
            "Гражданин зарегистрирован, варианты работы предложены",
            offer_lane,
            offer_col + 1,
            checkpoint=Checkpoint("CP_DONE", "Услуга оказана"),
        ),
    ]
    flows = [
        flow("Flow_Start_Check", "Start_Application", "Task_CheckApplication"),
        flow("Flow_Check_Gateway", "Task_CheckApplication", "Gateway_Complete"),
        flow(
            "Flow_Incomplete",
            "Gateway_Complete",
            "Task_Clarify",
            name="Нет",
            condition="returned == True",
            exit="bottom",
            enter="top",
        ),
        flow(
            "Flow_Clarified", "Task_Clarify", "Task_CheckApplication", exit="left", enter="bottom"
        ),
        flow("Flow_Complete", "Gateway_Complete", "Task_Register", name="Да", default=True),
        flow("Flow_Overdue", "Timer_RegistrationOverdue", "Task_ReviewOverdue"),
        flow("Flow_OverdueReviewed", "Task_ReviewOverdue", "End_OverdueReviewed"),
        flow("Flow_Offered", "Task_OfferVacancies", "End_Registered"),
    ]
    if v2:
        nodes.append(
            user_task(
                "Task_Profile",
                "Провести профилирование и определить трудности в поиске работы",
                "Lane_Career",
                4,
                checkpoint=Checkpoint("CP_PROFILED", "Профилирование проведено", ("profile",)),
                deadline=Deadline("P1D"),
                cards=(TechCard("TK-REG-04", "Профилирование гражданина"),),
                result="Определена группа профилирования и барьеры трудоустройства",
                fields=(
                    Field(
                        "profile",
                        "enum",
                        "Группа профилирования",
                        required=True,
                        values=("ready", "needs_training", "needs_support"),
                    ),
                ),
            )
        )
        flows += [
            flow("Flow_Register_Offer", "Task_Register", "Task_Profile", exit="right", enter="top"),
            flow("Flow_Profiled", "Task_Profile", "Task_OfferVacancies"),
        ]
    else:
        flows.append(
            flow(
                "Flow_Register_Offer",
                "Task_Register",
                "Task_OfferVacancies",
                exit="right",
                enter="top",
            )
        )
    offer_days = "P2D" if v2 else "P4D"
    return Process(
        id=PROCESS_ID,
        name="Регистрация гражданина в целях поиска подходящей работы",
        participant="Центр занятости населения",
        kind="process",
        category="main",
        service_code="SZN-01",
        documentation=(
            "Целевая модель процесса (ЦМП) оказания услуги по регистрации гражданина в целях "
            "поиска подходящей работы в ЦЗН на ЕЦП «Работа в России»."
        ),
        lanes=lanes,
        nodes=tuple(nodes),
        flows=tuple(flows),
        deadlines=(
            StageDeadline(
                "DL_REGISTRATION", "Срок регистрации", "CP_APPLICATION", "CP_REGISTERED", "P1D"
            ),
            StageDeadline(
                "DL_OFFER",
                "Срок предложения вариантов подходящей работы",
                "CP_REGISTERED",
                "CP_VACANCIES_OFFERED",
                offer_days,
            ),
        ),
        indicators=(
            Indicator(
                "IND_REG_ON_TIME",
                "Доля регистраций в срок",
                "share_within_deadline",
                "percent",
                "higher_better",
                target=95,
                green=95,
                red=85,
                weight=0.35,
                start="CP_APPLICATION",
                end="CP_REGISTERED",
                deadline="P1D",
                calendar="working",
                actions=(
                    "Проверить распределение заявлений между специалистами по регистрации",
                    "Закрепить резервного специалиста на дни пиковой нагрузки",
                ),
            ),
            Indicator(
                "IND_RETURNS",
                "Доля заявлений, возвращённых на уточнение",
                "share_with_flag",
                "percent",
                "lower_better",
                target=0.7,
                green=0.7,
                red=2,
                weight=0.25,
                checkpoint="CP_DOCS_CHECKED",
                flag="returned",
                actions=(
                    "Разобрать с сотрудником причины возвратов по технокарте TK-REG-01",
                    "Назначить наставника сотруднику с наибольшей долей возвратов",
                ),
            ),
            Indicator(
                "IND_OFFER_DURATION",
                "Срок от регистрации до предложения вариантов работы",
                "duration",
                "working_days",
                "lower_better",
                target=2 if v2 else 4,
                green=2 if v2 else 4,
                red=3 if v2 else 6,
                weight=0.25,
                start="CP_REGISTERED",
                end="CP_VACANCIES_OFFERED",
                actions=("Проверить актуальность банка вакансий работодателей района",),
            ),
            Indicator(
                "IND_REGISTRATIONS_PER_EMPLOYEE",
                "Регистраций на специалиста в день",
                "count_per_employee",
                "count",
                "higher_better",
                target=12,
                green=12,
                red=8,
                weight=0.15,
                checkpoint="CP_REGISTERED",
                actions=("Провести хронометраж операций регистрации и устранить лишние действия",),
            ),
        ),
    )


STANDARD = Standard(
    key="employment.job-seeker-registration",
    title="Регистрация гражданина в целях поиска подходящей работы",
    versions=(
        Version(
            1, "Первая редакция: регистрация за 1 рабочий день, подбор работы за 4 дня", build(1)
        ),
        Version(
            2,
            "Подбор работы передан карьерному консультанту, добавлено профилирование (КТ "
            "CP_PROFILED), срок предложения вариантов сокращён с 4 до 2 рабочих дней",
            build(2),
        ),
    ),
)
