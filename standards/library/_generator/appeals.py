"""appeals.citizen-appeal — рассмотрение обращения гражданина (59-ФЗ, 30 календарных дней).

Seed 002: separate, dynamic time control at every stage, so that a delay at an early stage
cannot make the final stages impossible. The stage deadlines after registration sum to less
than the 30-day legal limit, leaving a reserve.
"""

from __future__ import annotations

from standards.library._generator.model import (
    Checkpoint,
    Deadline,
    Field,
    Form,
    Indicator,
    Lane,
    Process,
    Role,
    StageDeadline,
    Standard,
    TechCard,
    Version,
)
from standards.library._generator.parts import (
    APPEALS_CLERK,
    APPEALS_EXECUTOR,
    APPEALS_HEAD,
    COMMENT,
    RETURNED,
    end,
    flow,
    start,
    timer,
    user_task,
    xor,
)

PROCESS_ID = "CitizenAppeal"
APPEALS_CONTROLLER = Role("appeals_controller", "Специалист по контролю исполнения")
CAL = "calendar"  # 59-ФЗ counts calendar days


def build(version: int) -> Process:
    """Return edition ``version`` (1 or 2) of the citizen-appeal process."""
    v2 = version >= 2
    s = 1 if v2 else 0  # v2 inserts the duplicate check after registration
    preparation = "P15D" if v2 else "P18D"
    draft = user_task(
        "Task_Draft",
        "Подготовить проект ответа по существу",
        "Lane_Executor",
        4 + s,
        checkpoint=Checkpoint("CP_DRAFT_READY", "Проект ответа подготовлен"),
        deadline=Deadline(preparation, CAL),
        cards=(TechCard("TK-OBR-03", "Подготовка ответа на обращение"),),
        result=(
            "Проект ответа по каждому вопросу обращения, при необходимости — с обещанием и сроком"
        ),
        forms=(Form("F-OBR-2", "Ответ на обращение гражданина"),),
        fields=(
            Field("promise_given", "boolean", "В ответе дано обещание решить вопрос"),
            Field("promise_due", "date", "Срок исполнения обещания"),
        ),
    )
    nodes = [
        start(
            "Start_Received",
            "Обращение поступило (ЕПГУ, письмо, приём, соцсети)",
            "Lane_Clerk",
            0,
            checkpoint=Checkpoint("CP_RECEIVED", "Обращение поступило", ("channel",)),
        ),
        user_task(
            "Task_Register",
            "Зарегистрировать и классифицировать обращение",
            "Lane_Clerk",
            1,
            checkpoint=Checkpoint("CP_REGISTERED", "Обращение зарегистрировано", ("channel",)),
            deadline=Deadline("P3D", CAL),
            cards=(TechCard("TK-OBR-01", "Регистрация обращения гражданина"),),
            result="Обращение зарегистрировано, вопросы классифицированы по тематикам",
            forms=(Form("F-OBR-1", "Регистрационно-контрольная карточка обращения"),),
            fields=(
                Field(
                    "channel",
                    "enum",
                    "Источник обращения",
                    required=True,
                    values=("epgu", "letter", "reception", "social_media"),
                ),
                Field("topic", "string", "Тематика вопроса", required=True),
                Field("in_competence", "boolean", "Вопрос в компетенции органа", required=True),
            ),
        ),
        xor(
            "Gateway_Competence", "Вопрос в компетенции органа?", "Lane_Clerk", 2 + s, label="above"
        ),
        user_task(
            "Task_Redirect",
            "Переадресовать обращение по компетенции и уведомить заявителя",
            "Lane_Clerk",
            3 + s,
            row=1,
            checkpoint=Checkpoint("CP_REDIRECTED", "Обращение переадресовано"),
            deadline=Deadline("P7D", CAL),
            forms=(Form("F-OBR-3", "Сопроводительное письмо о переадресации"),),
        ),
        end("End_Redirected", "Обращение переадресовано", "Lane_Clerk", 4 + s, row=1),
        user_task(
            "Task_Assign",
            "Рассмотреть обращение и назначить ответственного исполнителя",
            "Lane_Head",
            3 + s,
            checkpoint=Checkpoint("CP_ASSIGNED", "Исполнитель назначен"),
            deadline=Deadline("P2D", CAL),
            cards=(TechCard("TK-OBR-02", "Резолюция руководителя"),),
            result="Резолюция с поручением и контрольным сроком",
            fields=(Field("resolution", "string", "Текст резолюции", required=True),),
        ),
        draft,
        timer(
            "Timer_DraftOverdue",
            "Срок подготовки ответа истёк",
            draft,
            preparation,
            calendar=CAL,
            interrupting=False,
        ),
        user_task(
            "Task_ControlOverdue",
            "Направить напоминание исполнителю и доложить руководителю",
            "Lane_Control",
            5 + s,
            checkpoint=Checkpoint("CP_STAGE_OVERDUE", "Просрочка этапа зафиксирована"),
            deadline=Deadline("PT4H"),
            result="Исполнитель и руководитель уведомлены о просрочке этапа",
        ),
        end("End_ControlDone", "Просрочка этапа зафиксирована", "Lane_Control", 6 + s),
        user_task(
            "Task_Approve",
            "Согласовать и подписать ответ",
            "Lane_Head",
            5 + s,
            checkpoint=Checkpoint("CP_APPROVED", "Ответ подписан", ("returned",)),
            deadline=Deadline("P3D", CAL),
            result="Ответ подписан электронной подписью либо возвращён исполнителю",
            fields=(RETURNED, COMMENT),
        ),
        xor("Gateway_Approved", "Ответ согласован?", "Lane_Head", 6 + s, label="above_left"),
        user_task(
            "Task_Send",
            "Направить ответ заявителю",
            "Lane_Clerk",
            7 + s,
            checkpoint=Checkpoint("CP_SENT", "Ответ направлен"),
            deadline=Deadline("P1D", CAL),
            result="Ответ направлен тем же каналом, каким поступило обращение",
        ),
        end("End_Sent", "Ответ направлен заявителю", "Lane_Clerk", 8 + s),
    ]
    flows = [
        flow("Flow_Start_Register", "Start_Received", "Task_Register"),
        flow(
            "Flow_NotCompetent",
            "Gateway_Competence",
            "Task_Redirect",
            name="Нет",
            condition="in_competence == False",
            exit="right",
            enter="top",
        ),
        flow("Flow_Redirected", "Task_Redirect", "End_Redirected"),
        flow(
            "Flow_Competent",
            "Gateway_Competence",
            "Task_Assign",
            name="Да",
            default=True,
            exit="bottom",
            enter="left",
        ),
        flow("Flow_Assign_Draft", "Task_Assign", "Task_Draft"),
        flow("Flow_Draft_Approve", "Task_Draft", "Task_Approve", exit="top", enter="left"),
        flow("Flow_DraftOverdue", "Timer_DraftOverdue", "Task_ControlOverdue"),
        flow("Flow_Controlled", "Task_ControlOverdue", "End_ControlDone"),
        flow("Flow_Approve_Gateway", "Task_Approve", "Gateway_Approved"),
        flow(
            "Flow_Returned",
            "Gateway_Approved",
            "Task_Draft",
            name="Вернуть",
            condition="returned == True",
            exit="bottom",
            enter="right",
        ),
        flow(
            "Flow_Approved",
            "Gateway_Approved",
            "Task_Send",
            name="Да",
            default=True,
            exit="top",
            enter="left",
        ),
        flow("Flow_Sent", "Task_Send", "End_Sent"),
    ]
    if v2:
        nodes.append(
            user_task(
                "Task_CheckDuplicates",
                "Проверить заявителя на дубликаты и повторность обращения",
                "Lane_Clerk",
                2,
                checkpoint=Checkpoint(
                    "CP_DUPLICATE_CHECKED", "Повторность проверена", ("repeated",)
                ),
                deadline=Deadline("PT4H"),
                cards=(TechCard("TK-OBR-04", "Проверка повторности обращения"),),
                result="Карточки заявителя объединены, история обращений доступна исполнителю",
                fields=(Field("repeated", "boolean", "Повторное обращение"),),
            )
        )
        flows += [
            flow("Flow_Register_Duplicates", "Task_Register", "Task_CheckDuplicates"),
            flow("Flow_Duplicates_Gateway", "Task_CheckDuplicates", "Gateway_Competence"),
        ]
    else:
        flows.append(flow("Flow_Register_Gateway", "Task_Register", "Gateway_Competence"))
    return Process(
        id=PROCESS_ID,
        name="Рассмотрение обращения гражданина",
        participant="Орган власти (администрация)",
        kind="process",
        category="main",
        service_code="OBR-59FZ",
        documentation=(
            "ЦМП рассмотрения обращения гражданина: ответ в течение 30 календарных дней со дня "
            "регистрации, с раздельным контролем срока каждого этапа."
        ),
        lanes=(
            Lane("Lane_Clerk", "Специалист по работе с обращениями", APPEALS_CLERK),
            Lane("Lane_Head", "Руководитель", APPEALS_HEAD),
            Lane("Lane_Executor", "Исполнитель", APPEALS_EXECUTOR),
            Lane("Lane_Control", "Контроль исполнения", APPEALS_CONTROLLER),
        ),
        nodes=tuple(nodes),
        flows=tuple(flows),
        deadlines=(
            StageDeadline(
                "DL_REGISTRATION", "Регистрация", "CP_RECEIVED", "CP_REGISTERED", "P3D", CAL
            ),
            StageDeadline(
                "DL_REDIRECT",
                "Переадресация по компетенции",
                "CP_REGISTERED",
                "CP_REDIRECTED",
                "P7D",
                CAL,
            ),
            StageDeadline(
                "DL_ASSIGNMENT",
                "Назначение исполнителя",
                "CP_REGISTERED",
                "CP_ASSIGNED",
                "P2D",
                CAL,
            ),
            StageDeadline(
                "DL_PREPARATION",
                "Подготовка ответа",
                "CP_ASSIGNED",
                "CP_DRAFT_READY",
                preparation,
                CAL,
            ),
            StageDeadline(
                "DL_APPROVAL",
                "Согласование и подписание",
                "CP_DRAFT_READY",
                "CP_APPROVED",
                "P5D",
                CAL,
            ),
            StageDeadline("DL_SENDING", "Отправка ответа", "CP_APPROVED", "CP_SENT", "P2D", CAL),
            StageDeadline(
                "DL_TOTAL", "Срок рассмотрения (59-ФЗ)", "CP_REGISTERED", "CP_SENT", "P30D", CAL
            ),
        ),
        indicators=(
            Indicator(
                "IND_ANSWERED_ON_TIME",
                "Доля обращений, рассмотренных в срок 30 дней",
                "share_within_deadline",
                "percent",
                "higher_better",
                target=100,
                green=100,
                red=98,
                weight=0.4,
                start="CP_REGISTERED",
                end="CP_SENT",
                deadline="P30D",
                calendar=CAL,
                actions=(
                    "Проверить обращения, просроченные на ранних этапах, и перераспределить их",
                    "Доложить руководителю о рисках нарушения срока 59-ФЗ",
                ),
            ),
            Indicator(
                "IND_PREPARATION_ON_TIME",
                "Доля ответов, подготовленных в срок этапа",
                "share_within_deadline",
                "percent",
                "higher_better",
                target=95,
                green=95,
                red=90,
                weight=0.2,
                start="CP_ASSIGNED",
                end="CP_DRAFT_READY",
                deadline=preparation,
                calendar=CAL,
                actions=("Разобрать с исполнителем причины просрочки этапа подготовки ответа",),
            ),
            Indicator(
                "IND_RETURNS",
                "Доля ответов, возвращённых исполнителю на доработку",
                "share_with_flag",
                "percent",
                "lower_better",
                target=5,
                green=5,
                red=10,
                weight=0.2,
                checkpoint="CP_APPROVED",
                flag="returned",
                actions=("Использовать шаблоны типовых ответов по тематике обращения",),
            ),
            Indicator(
                "IND_ANSWER_DURATION",
                "Средний срок рассмотрения обращения",
                "duration",
                "days",
                "lower_better",
                target=20,
                green=20,
                red=27,
                weight=0.2,
                start="CP_REGISTERED",
                end="CP_SENT",
                actions=(
                    "Объединять однотипные вопросы в предметные группы для совместной обработки",
                ),
            ),
        ),
    )


STANDARD = Standard(
    key="appeals.citizen-appeal",
    title="Рассмотрение обращения гражданина",
    versions=(
        Version(1, "Первая редакция: этапы 2 + 18 + 5 + 2 дня в пределах 30 дней", build(1)),
        Version(
            2,
            "Срок подготовки ответа сокращён с 18 до 15 дней, добавлена проверка повторности "
            "обращения (КТ CP_DUPLICATE_CHECKED)",
            build(2),
        ),
    ),
)
