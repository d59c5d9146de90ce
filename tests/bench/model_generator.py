"""Realistic generated BPMN standards for the benchmark: pools with lanes and roles, user tasks
with Etalon checkpoints, deadlines, technology cards and fields, exclusive gateways whose flows
carry conditions, non-interrupting timer escalations, and full BPMN DI.

``generate(n)`` builds a model of ``n`` flow nodes; ``next_version(model)`` returns a copy with
about 1 % of the flow nodes renamed, re-timed, inserted or removed (rewired like a modeller
would), and ``to_xml(model)`` writes either as BPMN 2.0 bytes.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

NODES_PER_POOL = 500
LANE_HEIGHT = 220.0
COLUMN = 150.0
POOL_GAP = 60.0
POOL_X = 100.0
LANES = (
    ("reception", "Специалист клиентской службы"),
    ("registration_specialist", "Специалист по регистрации"),
    ("benefit_specialist", "Специалист по назначению выплат"),
    ("career_consultant", "Карьерный консультант"),
    ("czn_head", "Руководитель ЦЗН"),
)
SIZES = {
    "userTask": (120.0, 80.0),
    "exclusiveGateway": (50.0, 50.0),
    "startEvent": (36.0, 36.0),
    "endEvent": (36.0, 36.0),
    "boundaryEvent": (36.0, 36.0),
}
VERBS = ("Проверить", "Зарегистрировать", "Согласовать", "Подготовить", "Направить", "Учесть")
OBJECTS = ("заявление", "сведения о доходах", "проект решения", "межведомственный запрос")


@dataclass
class Node:
    id: str
    kind: str
    name: str
    lane: int
    x: float
    y: float
    checkpoint: str | None = None
    deadline: str | None = None
    fields: tuple[str, ...] = ()
    attached_to: str | None = None
    default: str | None = None

    @property
    def size(self) -> tuple[float, float]:
        return SIZES[self.kind]


@dataclass
class Flow:
    id: str
    source: str
    target: str
    condition: str | None = None
    name: str | None = None


@dataclass
class Pool:
    process_id: str
    name: str
    y: float
    nodes: dict[str, Node] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    checkpoints: list[str] = field(default_factory=list)
    columns: int = 0

    def lane_y(self, lane: int) -> float:
        return self.y + lane * LANE_HEIGHT

    def add(self, node: Node) -> Node:
        self.nodes[node.id] = node
        return node

    def connect(self, source: str, target: str, condition: str | None = None) -> Flow:
        flow = Flow(f"Flow_{source}_{target}", source, target, condition)
        self.flows[flow.id] = flow
        return flow


@dataclass
class Model:
    pools: list[Pool]

    @property
    def flow_node_count(self) -> int:
        return sum(len(p.nodes) for p in self.pools)


def _place(
    pool: Pool, kind: str, lane: int, column: float, row: float = 0.5
) -> tuple[float, float]:
    height = SIZES[kind][1]
    x = POOL_X + 60 + column * COLUMN
    y = pool.lane_y(lane) + row * LANE_HEIGHT - height / 2
    return x, y


def _task(pool: Pool, node_id: str, name: str, lane: int, column: float, **extra) -> Node:
    x, y = _place(pool, "userTask", lane, column, extra.pop("row", 0.5))
    return pool.add(Node(node_id, "userTask", name, lane, x, y, deadline="PT4H", **extra))


def _block(pool: Pool, number: int, previous: str, with_timer: bool) -> tuple[str, int]:
    """A check → decision → (accept | return) → merge → follow-up step; 6 nodes (9 with a
    timer escalation). Returns the id of the last node and the number of nodes added."""
    p, lane, col = pool.process_id, number % len(LANES), pool.columns
    verb, obj = VERBS[number % len(VERBS)], OBJECTS[number % len(OBJECTS)]
    checkpoint = f"CP_{p}_{number}" if number % 5 == 0 else None
    check = _task(
        pool,
        f"{p}_Check{number}",
        f"{verb} {obj} (шаг {number})",
        lane,
        col,
        checkpoint=checkpoint,
        fields=("approved",),
    )
    if checkpoint:
        pool.checkpoints.append(checkpoint)
    pool.connect(previous, check.id)
    x, y = _place(pool, "exclusiveGateway", lane, col + 1)
    split = pool.add(
        Node(f"{p}_Decide{number}", "exclusiveGateway", "Сведения полные?", lane, x, y)
    )
    pool.connect(check.id, split.id)
    accept = _task(pool, f"{p}_Accept{number}", f"Принять {obj}", lane, col + 2, row=0.3)
    back = _task(pool, f"{p}_Return{number}", f"Вернуть {obj} на доработку", lane, col + 2)
    back.y += 0.3 * LANE_HEIGHT
    pool.connect(split.id, accept.id, "approved == True")
    split.default = pool.connect(split.id, back.id).id
    x, y = _place(pool, "exclusiveGateway", lane, col + 3)
    merge = pool.add(Node(f"{p}_Merge{number}", "exclusiveGateway", "", lane, x, y))
    pool.connect(accept.id, merge.id)
    pool.connect(back.id, merge.id)
    follow = _task(
        pool, f"{p}_Notify{number}", f"Уведомить заявителя (шаг {number})", lane, col + 4
    )
    pool.connect(merge.id, follow.id)
    added = 6
    if with_timer:
        timer = pool.add(
            Node(
                f"{p}_Overdue{number}",
                "boundaryEvent",
                "Срок истёк",
                lane,
                check.x + 70,
                check.y + 62,
                attached_to=check.id,
            )
        )
        head = len(LANES) - 1
        review = _task(
            pool, f"{p}_Review{number}", "Разобрать нарушение срока", head, col + 1, row=0.35
        )
        x, y = _place(pool, "endEvent", head, col + 2, 0.35)
        done = pool.add(Node(f"{p}_Reviewed{number}", "endEvent", "Разобрано", head, x, y))
        pool.connect(timer.id, review.id)
        pool.connect(review.id, done.id)
        added += 3
    pool.columns += 5
    return follow.id, added


def generate(flow_nodes: int, *, seed: int = 1) -> Model:
    """A model of exactly ``flow_nodes`` flow nodes in pools of about NODES_PER_POOL each."""
    rng = random.Random(seed)
    pools: list[Pool] = []
    remaining = flow_nodes
    y = 80.0
    while remaining > 0:
        size = min(NODES_PER_POOL, remaining)
        if 0 < remaining - size < 20:  # no tiny last pool
            size = remaining
        number = len(pools) + 1
        pool = Pool(f"Process{number}", f"Предоставление услуги, этап {number}", y)
        _fill(pool, size, rng)
        pools.append(pool)
        remaining -= size
        y += len(LANES) * LANE_HEIGHT + POOL_GAP
    return Model(pools)


def _fill(pool: Pool, size: int, rng: random.Random) -> None:
    p = pool.process_id
    x, y = _place(pool, "startEvent", 0, 0)
    start = pool.add(Node(f"{p}_Start", "startEvent", "Заявление поступило", 0, x, y))
    start.checkpoint = f"CP_{p}_START"
    pool.checkpoints.append(start.checkpoint)
    pool.columns = 1
    last, count, number = start.id, 1, 0
    while count + 9 + 1 <= size:
        last, added = _block(pool, number, last, with_timer=rng.random() < 0.2)
        count += added
        number += 1
    while count + 1 < size:  # pad with plain steps to the exact size
        step = _task(
            pool, f"{p}_Step{count}", f"Внести сведения (операция {count})", 1, pool.columns
        )
        pool.connect(last, step.id)
        pool.columns += 1
        last, count = step.id, count + 1
    x, y = _place(pool, "endEvent", 0, pool.columns)
    end = pool.add(Node(f"{p}_End", "endEvent", "Услуга оказана", 0, x, y))
    end.checkpoint = f"CP_{p}_DONE"
    pool.checkpoints.append(end.checkpoint)
    pool.connect(last, end.id)
    pool.columns += 1


def next_version(model: Model, *, share: float = 0.01, seed: int = 2) -> Model:
    """A copy with ``share`` of the flow nodes touched: half changed (renamed or re-timed),
    a quarter of new steps inserted after a follow-up step, a quarter of follow-up steps removed
    with their flows rewired."""
    rng = random.Random(seed)
    new = copy.deepcopy(model)
    touched = max(4, round(model.flow_node_count * share))
    follow_ups = [
        (pool, node)
        for pool in new.pools
        for node in pool.nodes.values()
        if node.id.split("_")[-1].startswith("Notify")
    ]
    chosen = rng.sample(follow_ups, min(len(follow_ups), touched))
    quarter = max(1, touched // 4)
    for _pool, node in chosen[: touched - 2 * quarter]:
        if rng.random() < 0.5:
            node.name += " и сделать отметку в ЕЦП"
        else:
            node.deadline = "PT2H"
    for pool, node in chosen[touched - 2 * quarter : touched - quarter]:
        _insert_after(pool, node)
    for pool, node in chosen[touched - quarter :]:
        _remove(pool, node)
    return new


def _insert_after(pool: Pool, node: Node) -> None:
    out = next(f for f in pool.flows.values() if f.source == node.id)
    step = _task(pool, f"{node.id}_Archive", "Передать дело в архив", node.lane, 0)
    step.x, step.y = node.x + 20, node.y + 90
    target = out.target
    out.target = step.id
    pool.connect(step.id, target)


def _remove(pool: Pool, node: Node) -> None:
    incoming = [f for f in pool.flows.values() if f.target == node.id]
    outgoing = [f for f in pool.flows.values() if f.source == node.id]
    if len(incoming) != 1 or len(outgoing) != 1:
        return
    incoming[0].target = outgoing[0].target
    del pool.flows[outgoing[0].id]
    del pool.nodes[node.id]


# --- writing BPMN XML ---------------------------------------------------------------------

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:etalon="urn:etalon:bpmn:1.0" id="Generated_Definitions" '
    'targetNamespace="urn:etalon:bench" exporter="Etalon benchmark generator" '
    'exporterVersion="1">\n'
)


def to_xml(model: Model) -> bytes:
    """The model as a BPMN 2.0 file with Etalon metadata and one diagram for all pools."""
    out = [HEADER, '  <bpmn:collaboration id="Collaboration">\n']
    for pool in model.pools:
        out.append(
            f'    <bpmn:participant id="{pool.process_id}_Pool" name={quoteattr(pool.name)} '
            f'processRef="{pool.process_id}"/>\n'
        )
    out.append("  </bpmn:collaboration>\n")
    for pool in model.pools:
        _write_process(out, pool)
    out.append('  <bpmndi:BPMNDiagram id="Diagram">\n')
    out.append('    <bpmndi:BPMNPlane id="Plane" bpmnElement="Collaboration">\n')
    for pool in model.pools:
        _write_di(out, pool)
    out.append("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n</bpmn:definitions>\n")
    return "".join(out).encode("utf-8")


def _write_process(out: list[str], pool: Pool) -> None:
    p = pool.process_id
    first, last = pool.checkpoints[0], pool.checkpoints[-1]
    out.append(f'  <bpmn:process id="{p}" name={quoteattr(pool.name)} isExecutable="true">\n')
    out.append(
        "    <bpmn:extensionElements>\n"
        f'      <etalon:standard kind="process" category="main" serviceCode="SZN-{p[-2:]}"/>\n'
        f'      <etalon:deadline id="DL_{p}" name="Срок оказания услуги" from="{first}" '
        f'to="{last}" duration="P10D" calendar="working"/>\n'
        f'      <etalon:indicator id="IND_{p}_ON_TIME" name="Доля услуг, оказанных в срок" '
        f'kind="share_within_deadline" from="{first}" to="{last}" deadline="P10D" '
        'calendar="working" unit="percent" direction="higher_better" target="95" weight="0.5">\n'
        '        <etalon:corridor green="95" red="85"/>\n'
        "        <etalon:action>Перераспределить нагрузку между специалистами</etalon:action>\n"
        "      </etalon:indicator>\n"
        "    </bpmn:extensionElements>\n"
    )
    out.append(f'    <bpmn:laneSet id="{p}_LaneSet">\n')
    members: dict[int, list[str]] = {i: [] for i in range(len(LANES))}
    for node in pool.nodes.values():
        members[node.lane].append(node.id)
    for index, (code, name) in enumerate(LANES):
        out.append(
            f'      <bpmn:lane id="{p}_Lane{index}" name={quoteattr(name)}>\n'
            "        <bpmn:extensionElements>\n"
            f'          <etalon:role code="{code}" name={quoteattr(name)}/>\n'
            "        </bpmn:extensionElements>\n"
        )
        out += [f"        <bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>\n" for i in members[index]]
        out.append("      </bpmn:lane>\n")
    out.append("    </bpmn:laneSet>\n")
    incoming: dict[str, list[str]] = {i: [] for i in pool.nodes}
    outgoing: dict[str, list[str]] = {i: [] for i in pool.nodes}
    for flow in pool.flows.values():
        outgoing[flow.source].append(flow.id)
        incoming[flow.target].append(flow.id)
    for node in pool.nodes.values():
        _write_node(out, node, incoming[node.id], outgoing[node.id])
    for flow in pool.flows.values():
        attrs = f'id="{flow.id}" sourceRef="{flow.source}" targetRef="{flow.target}"'
        if flow.condition is None:
            out.append(f"    <bpmn:sequenceFlow {attrs}/>\n")
        else:
            out.append(
                f'    <bpmn:sequenceFlow {attrs} name="Да">\n'
                '      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                f"{escape(flow.condition)}</bpmn:conditionExpression>\n"
                "    </bpmn:sequenceFlow>\n"
            )
    out.append("  </bpmn:process>\n")


def _write_node(out: list[str], node: Node, incoming: list[str], outgoing: list[str]) -> None:
    attrs = f'id="{node.id}" name={quoteattr(node.name)}'
    if node.default:
        attrs += f' default="{node.default}"'
    if node.attached_to:
        attrs += f' cancelActivity="false" attachedToRef="{node.attached_to}"'
    out.append(f"    <bpmn:{node.kind} {attrs}>\n")
    meta = []
    if node.checkpoint:
        meta.append(f'<etalon:checkpoint id="{node.checkpoint}" name={quoteattr(node.name)}/>')
    if node.kind == "userTask":
        meta.append(f'<etalon:deadline duration="{node.deadline}" calendar="working"/>')
        meta.append('<etalon:technologyCard ref="TK-01" title="Приём и проверка заявления"/>')
        meta.append("<etalon:result>Операция выполнена, сведения внесены в ЕЦП</etalon:result>")
        meta += [
            f'<etalon:field name="{name}" type="boolean" label="Сведения полные"/>'
            for name in node.fields
        ]
    if node.kind == "boundaryEvent":
        meta.append('<etalon:timer calendar="working"/>')
    if meta:
        body = "".join(f"      {m}\n" for m in meta)
        out.append(f"      <bpmn:extensionElements>\n{body}      </bpmn:extensionElements>\n")
    out += [f"      <bpmn:incoming>{i}</bpmn:incoming>\n" for i in incoming]
    out += [f"      <bpmn:outgoing>{o}</bpmn:outgoing>\n" for o in outgoing]
    if node.kind == "boundaryEvent":
        out.append(
            f'      <bpmn:timerEventDefinition id="{node.id}_Timer">\n'
            '        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT4H"'
            "</bpmn:timeDuration>\n      </bpmn:timerEventDefinition>\n"
        )
    out.append(f"    </bpmn:{node.kind}>\n")


def _bounds(x: float, y: float, width: float, height: float) -> str:
    return f'<dc:Bounds x="{x:g}" y="{y:g}" width="{width:g}" height="{height:g}"/>'


def _write_di(out: list[str], pool: Pool) -> None:
    width = 120 + pool.columns * COLUMN
    height = len(LANES) * LANE_HEIGHT
    out.append(
        f'      <bpmndi:BPMNShape id="{pool.process_id}_Pool_di" '
        f'bpmnElement="{pool.process_id}_Pool" isHorizontal="true">'
        f"{_bounds(POOL_X, pool.y, width, height)}</bpmndi:BPMNShape>\n"
    )
    for index in range(len(LANES)):
        out.append(
            f'      <bpmndi:BPMNShape id="{pool.process_id}_Lane{index}_di" '
            f'bpmnElement="{pool.process_id}_Lane{index}" isHorizontal="true">'
            f"{_bounds(POOL_X + 30, pool.lane_y(index), width - 30, LANE_HEIGHT)}"
            "</bpmndi:BPMNShape>\n"
        )
    for node in pool.nodes.values():
        w, h = node.size
        out.append(
            f'      <bpmndi:BPMNShape id="{node.id}_di" bpmnElement="{node.id}">'
            f"{_bounds(node.x, node.y, w, h)}</bpmndi:BPMNShape>\n"
        )
    for flow in pool.flows.values():
        points = "".join(
            f'<di:waypoint x="{x:g}" y="{y:g}"/>'
            for x, y in _route(pool.nodes[flow.source], pool.nodes[flow.target])
        )
        out.append(
            f'      <bpmndi:BPMNEdge id="{flow.id}_di" bpmnElement="{flow.id}">{points}'
            "</bpmndi:BPMNEdge>\n"
        )


def _route(source: Node, target: Node) -> list[tuple[float, float]]:
    """Orthogonal waypoints: out of the source's right side (a boundary event's bottom), into
    the target's left side."""
    sw, sh = source.size
    th = target.size[1]
    ty = target.y + th / 2
    if source.kind == "boundaryEvent":
        sx, sy = source.x + sw / 2, source.y + sh
        return [(sx, sy), (sx, ty), (target.x, ty)]
    sx, sy = source.x + sw, source.y + sh / 2
    if abs(sy - ty) < 1:
        return [(sx, sy), (target.x, ty)]
    middle = (sx + target.x) / 2
    return [(sx, sy), (middle, sy), (middle, ty), (target.x, ty)]
