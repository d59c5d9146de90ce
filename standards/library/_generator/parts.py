"""Shorthands for writing standards: roles shared across the library and node constructors."""

from __future__ import annotations

from standards.library._generator.model import (
    AND,
    CALL,
    END,
    MANUAL_TASK,
    START,
    TIMER,
    USER_TASK,
    XOR,
    Deadline,
    Field,
    Flow,
    Node,
    Role,
)

# Roles are global: the same code in two standards is the same job role in an office.
REGISTRATION_SPECIALIST = Role("registration_specialist", "Специалист по регистрации")
INSPECTOR = Role("inspector", "Инспектор по назначению пособий")
CZN_HEAD = Role("czn_head", "Руководитель ЦЗН")
CAREER_CONSULTANT = Role("career_consultant", "Карьерный консультант")
EMPLOYER_SPECIALIST = Role("employer_specialist", "Специалист по работе с работодателями")
HALL_ADMINISTRATOR = Role("hall_administrator", "Администратор клиентского зала")
SMEV_SPECIALIST = Role("smev_specialist", "Специалист по межведомственному взаимодействию")
CLIENT_SERVICE_SPECIALIST = Role("client_service_specialist", "Специалист клиентской службы")
PAYMENT_SPECIALIST = Role("payment_specialist", "Специалист отдела назначения выплат")
PAYMENT_HEAD = Role("payment_head", "Начальник отдела назначения мер социальной поддержки")
APPEALS_CLERK = Role("appeals_clerk", "Специалист по работе с обращениями граждан")
APPEALS_HEAD = Role("appeals_head", "Руководитель органа (должностное лицо)")
APPEALS_EXECUTOR = Role("appeals_executor", "Ответственный исполнитель")
OPERATOR_LINE1 = Role("operator_line1", "Оператор 1-й линии")
OPERATOR_LINE2 = Role("operator_line2", "Оператор 2-й линии")
SUPERVISOR = Role("supervisor", "Супервизор")
AUTHOR = Role("author", "Автор стандарта (методолог)")
LEAD_METHODOLOGIST = Role("lead_methodologist", "Ведущий методолог ФЦК СЗ")
ROSTRUD_EXPERT = Role("rostrud_expert", "Эксперт Роструда")
MINTRUD_APPROVER = Role("mintrud_approver", "Представитель Минтруда России")

RETURNED = Field("returned", "boolean", "Возвращено на доработку")
COMMENT = Field("comment", "string", "Комментарий")


def start(node_id: str, name: str, lane: str, col: float, row: int = 0, **kw) -> Node:
    """A none start event."""
    return Node(node_id, START, name, lane, col, row, **kw)


def end(node_id: str, name: str, lane: str, col: float, row: int = 0, **kw) -> Node:
    """A none end event."""
    return Node(node_id, END, name, lane, col, row, **kw)


def user_task(node_id: str, name: str, lane: str, col: float, row: int = 0, **kw) -> Node:
    """A user task: human work done in a form with fields."""
    return Node(node_id, USER_TASK, name, lane, col, row, **kw)


def manual_task(node_id: str, name: str, lane: str, col: float, row: int = 0, **kw) -> Node:
    """A manual task: human work done outside the system."""
    return Node(node_id, MANUAL_TASK, name, lane, col, row, **kw)


def xor(node_id: str, name: str, lane: str, col: float, row: int = 0, **kw) -> Node:
    """An exclusive gateway (split or merge)."""
    return Node(node_id, XOR, name, lane, col, row, **kw)


def parallel(node_id: str, name: str, lane: str, col: float, row: int = 0, **kw) -> Node:
    """A parallel gateway (fork or join)."""
    return Node(node_id, AND, name, lane, col, row, **kw)


def call(node_id: str, name: str, lane: str, col: float, called: str, row: int = 0, **kw) -> Node:
    """A call activity running the process ``called`` (a supporting or another main process)."""
    return Node(node_id, CALL, name, lane, col, row, called=called, **kw)


def timer(
    node_id: str,
    name: str,
    host: Node,
    duration: str,
    *,
    calendar: str = "working",
    interrupting: bool = True,
    **kw,
) -> Node:
    """A timer boundary event on ``host`` (drawn on its bottom edge, in its lane)."""
    return Node(
        node_id,
        TIMER,
        name,
        host.lane,
        host.col,
        host.row,
        attached_to=host.id,
        timer=Deadline(duration, calendar),
        interrupting=interrupting,
        **kw,
    )


def flow(flow_id: str, source: str, target: str, **kw) -> Flow:
    """A sequence flow."""
    return Flow(flow_id, source, target, **kw)
