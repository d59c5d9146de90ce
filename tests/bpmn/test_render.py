"""SVG rendering: notation of every element kind, escaping, overlays, viewBox, auto layout."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from lxml import etree

from bpmn.errors import BpmnError
from bpmn.loading import load_document, load_file
from bpmn.render import Overlay, render_diagrams, render_svg
from bpmn.render.layout import _back_edges, _layers

DATA = Path(__file__).resolve().parent.parent / "data" / "bpmn" / "render"
SVG_NS = {"s": "http://www.w3.org/2000/svg"}
DI = "http://www.omg.org/spec/BPMN/20100524/DI"

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="urn:t">'
)


def parse_svg(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode("utf-8"))


def groups(svg_root: etree._Element, css: str = "bpmn-shape") -> dict[str, etree._Element]:
    found = {}
    for g in svg_root.iterfind(".//s:g[@data-element-id]", SVG_NS):
        if css in g.get("class", "").split():
            found[g.get("data-element-id")] = g
    return found


def all_text(el: etree._Element) -> str:
    return " ".join(t for t in el.itertext() if t.strip())


def label_of(svg_root: etree._Element, element_id: str) -> str:
    """Text shown for an element: inside its group and in the external-label layer."""
    parts = [
        all_text(g)
        for g in svg_root.iter(f"{{{SVG_NS['s']}}}g")
        if element_id in (g.get("data-element-id"), g.get("data-label-for"))
    ]
    return " ".join(p for p in parts if p)


def task_document(name: str, x: float = 100, y: float = 100, label: str = "") -> bytes:
    return (
        HEAD
        + f'<bpmn:process id="p"><bpmn:task id="t1" name="{name}"/></bpmn:process>'
        + '<bpmndi:BPMNDiagram id="dia"><bpmndi:BPMNPlane id="pl" bpmnElement="p">'
        + f'<bpmndi:BPMNShape id="t1_di" bpmnElement="t1"><dc:Bounds x="{x}" y="{y}" '
        + f'width="100" height="80"/>{label}</bpmndi:BPMNShape>'
        + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>"
    ).encode("utf-8")


@pytest.fixture(scope="module")
def all_elements() -> etree._Element:
    return parse_svg(render_svg(load_file(DATA / "all_elements.bpmn")))


def test_every_bpmn_shape_has_exactly_one_group(all_elements):
    source = etree.parse(str(DATA / "all_elements.bpmn"))
    expected = [s.get("bpmnElement") for s in source.iter(f"{{{DI}}}BPMNShape")]
    drawn = [
        g.get("data-element-id")
        for g in all_elements.iterfind(".//s:g[@data-element-id]", SVG_NS)
        if "bpmn-shape" in g.get("class", "")
    ]
    assert sorted(drawn) == sorted(expected)
    edges = [e.get("bpmnElement") for e in source.iter(f"{{{DI}}}BPMNEdge")]
    assert sorted(groups(all_elements, "bpmn-edge")) == sorted(edges)


@pytest.mark.parametrize(
    "kind",
    [
        "startEvent", "intermediateCatchEvent", "intermediateThrowEvent", "endEvent",
        "boundaryEvent", "task", "userTask", "manualTask", "serviceTask", "scriptTask",
        "sendTask", "receiveTask", "businessRuleTask", "callActivity", "subProcess",
        "transaction", "adHocSubProcess", "exclusiveGateway", "parallelGateway",
        "inclusiveGateway", "eventBasedGateway", "complexGateway", "participant", "lane",
        "dataObjectReference", "dataInput", "dataOutput", "dataStoreReference",
        "textAnnotation", "group", "sequenceFlow", "messageFlow", "association",
        "dataInputAssociation", "dataOutputAssociation",
    ],
)  # fmt: skip
def test_each_element_kind_is_drawn_with_its_class(all_elements, kind):
    classes = [g.get("class").split() for g in all_elements.iterfind(".//s:g[@class]", SVG_NS)]
    assert any(f"bpmn-{kind}" in c for c in classes)


def _drawings(group: etree._Element) -> list[etree._Element]:
    return [
        el
        for el in group
        if etree.QName(el).localname in ("path", "circle", "rect", "line", "ellipse")
    ]


def test_event_borders_follow_the_notation(all_elements):
    shapes = groups(all_elements)
    start = shapes["start_none"].find("s:circle", SVG_NS)
    end = shapes["end_none"].find("s:circle", SVG_NS)
    assert float(start.get("stroke-width")) < float(end.get("stroke-width"))
    # Intermediate events have a double border.
    assert len(shapes["throw_none"].findall("s:circle", SVG_NS)) == 2
    # Non-interrupting boundary and start events are dashed; interrupting ones are not.
    assert shapes["boundary_timer_nonint"].find("s:circle", SVG_NS).get("stroke-dasharray")
    assert shapes["event_sub_start"].find("s:circle", SVG_NS).get("stroke-dasharray")
    assert shapes["boundary_error"].find("s:circle", SVG_NS).get("stroke-dasharray") is None


def test_throw_markers_are_filled_and_catch_markers_are_not(all_elements):
    shapes = groups(all_elements)
    catch_envelope = shapes["catch_message"].findall("s:rect", SVG_NS)[0]
    throw_envelope = shapes["throw_message"].findall("s:rect", SVG_NS)[0]
    assert catch_envelope.get("fill") == "#ffffff"
    assert throw_envelope.get("fill") != "#ffffff"


@pytest.mark.parametrize(
    "element_id",
    [
        "start_message", "start_timer", "start_conditional", "start_signal", "start_multiple",
        "start_parallel_multiple", "catch_link", "throw_escalation", "throw_compensation",
        "end_error", "end_terminate", "end_cancel", "end_signal", "end_multiple",
    ],
)  # fmt: skip
def test_event_definitions_add_a_marker(all_elements, element_id):
    shapes = groups(all_elements)
    plain = len(_drawings(shapes["start_none"]))
    assert len(_drawings(shapes[element_id])) > plain


def test_exclusive_gateway_marker_obeys_is_marker_visible(all_elements):
    shapes = groups(all_elements)
    assert len(_drawings(shapes["xor_visible"])) == 2
    assert len(_drawings(shapes["xor_hidden"])) == 1


def test_activity_borders_and_markers(all_elements):
    shapes = groups(all_elements)

    def border(key: str) -> float:
        return float(shapes[key].find("s:rect", SVG_NS).get("stroke-width"))

    assert border("call_activity") > border("task_1")
    assert len(shapes["collapsed_transaction"].findall("s:rect", SVG_NS)) >= 2
    assert shapes["event_sub"].find("s:rect", SVG_NS).get("stroke-dasharray")
    plain = len(_drawings(shapes["task_1"]))
    for marked in ("loop_task", "mi_parallel_task", "mi_sequential_task", "compensation_task"):
        assert len(_drawings(shapes[marked])) > plain, marked
    # Collapsed sub-processes carry the [+] marker, expanded ones do not.
    assert len(_drawings(shapes["collapsed_sub"])) > len(_drawings(shapes["expanded_sub"]))


def test_task_types_have_icons(all_elements):
    shapes = groups(all_elements)
    plain = len(_drawings(shapes["task_1"]))
    for kind in ("user", "manual", "service", "script", "send", "receive", "businessRule"):
        assert len(_drawings(shapes[f"{kind}Task_1"])) > plain, kind


def test_sequence_flow_source_markers(all_elements):
    edges = groups(all_elements, "bpmn-edge")
    plain = len(_drawings(edges["flow_gw_default"]))  # line + arrowhead
    assert plain == 2
    assert len(_drawings(edges["flow_default"])) == 3  # + default slash
    conditional = _drawings(edges["flow_conditional"])
    assert len(conditional) == 3  # + diamond at the activity
    message = edges["message_flow"]
    assert message.find("s:path", SVG_NS).get("stroke-dasharray")
    assert message.find("s:circle", SVG_NS) is not None
    assert edges["assoc_1"].find("s:path", SVG_NS).get("stroke-dasharray")


def test_labels_are_drawn(all_elements):
    assert "Main pool" in label_of(all_elements, "pool_main")
    assert "First lane" in label_of(all_elements, "lane_1")
    assert "An annotation with text" in label_of(all_elements, "annotation")
    assert "A group" in label_of(all_elements, "group_1")
    assert "data object" in label_of(all_elements, "data_ref")
    assert "task label" in label_of(all_elements, "task_1")
    assert "otherwise" in label_of(all_elements, "flow_default")
    # Horizontal pools carry their name rotated in the band on the left.
    pool = groups(all_elements)["pool_main"]
    assert "rotate(-90" in pool.find("s:text", SVG_NS).get("transform")


def test_external_labels_are_painted_above_every_shape(all_elements):
    layer = all_elements[-1]
    assert layer.get("class") == "bpmn-labels"
    assert {g.get("data-label-for") for g in layer} >= {"start_none", "xor_visible", "data_ref"}
    # Names inside activities stay with their shape.
    assert "task label" in all_text(groups(all_elements)["task_1"])


def test_hostile_names_are_escaped():
    name = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"
    svg = render_svg(load_document(task_document(name)))
    assert "<script" not in svg
    root = parse_svg(svg)
    assert root.find(".//s:script", SVG_NS) is None
    shown = "".join(groups(root)["t1"].itertext()).replace(" ", "").replace("\n", "")
    assert shown == '<script>alert(1)</script>&"x"'
    assert "href" not in svg and "url(" not in svg


def test_hostile_overlays_cannot_inject_references_or_markup():
    overlays = {
        "t1": Overlay(
            fill="url(http://evil/x)", stroke="red;background:url(x)", badge="<b>", title="</title>"
        )
    }
    svg = render_svg(load_document(task_document("T")), overlays=overlays)
    root = parse_svg(svg)
    assert "url(" not in svg
    g = groups(root)["t1"]
    assert g.find("s:title", SVG_NS).text == "</title>"
    assert "<b>" in all_text(g.find("s:g[@class='bpmn-badge']", SVG_NS))


def test_overlays_paint_badge_and_tooltip(all_elements):
    overlays = {
        "userTask_1": Overlay(fill="#ffd0d0", stroke="#c00000", badge="12", title="12 просрочек"),
        "flow_default": Overlay(stroke="#00aa00", badge="3"),
    }
    root = parse_svg(render_svg(load_file(DATA / "all_elements.bpmn"), overlays=overlays))
    task = groups(root)["userTask_1"]
    body = task.find("s:rect", SVG_NS)
    assert (body.get("fill"), body.get("stroke")) == ("#ffd0d0", "#c00000")
    assert task[0].tag == f"{{{SVG_NS['s']}}}title" and task[0].text == "12 просрочек"
    badge = task.find("s:g[@class='bpmn-badge']", SVG_NS)
    assert badge is not None and all_text(badge) == "12"
    flow = groups(root, "bpmn-edge")["flow_default"]
    assert flow.find("s:path", SVG_NS).get("stroke") == "#00aa00"
    assert all_text(flow.find("s:g[@class='bpmn-badge']", SVG_NS)) == "3"
    # Elements without overlays keep the default paint.
    assert groups(root)["task_1"].find("s:title", SVG_NS) is None


def test_viewbox_covers_negative_coordinates():
    root = parse_svg(render_svg(load_document(task_document("T", x=-300, y=-50))))
    x, y, w, h = map(float, root.get("viewBox").split())
    assert x <= -300 and y <= -50
    assert x + w >= -200 and y + h >= 30


def test_label_bounds_place_the_label():
    label = (
        '<bpmndi:BPMNLabel><dc:Bounds x="400" y="300" width="80" height="20"/></bpmndi:BPMNLabel>'
    )
    root = parse_svg(render_svg(load_document(task_document("Named", label=label))))
    span = root.find(".//s:g[@data-label-for='t1']//s:tspan", SVG_NS)
    assert 380 <= float(span.get("x")) <= 500 and 300 <= float(span.get("y")) <= 330


def test_russian_labels_are_kept_in_utf8():
    root = parse_svg(render_svg(load_document(task_document("Проверить документы заявителя"))))
    assert "Проверить" in all_text(groups(root)["t1"])
    assert "sans-serif" in root.get("font-family")


def test_long_names_wrap_inside_the_task():
    root = parse_svg(render_svg(load_document(task_document("word " * 12))))
    spans = groups(root)["t1"].findall(".//s:tspan", SVG_NS)
    assert len(spans) > 1
    assert all(100 <= float(s.get("y")) <= 180 for s in spans)


def test_one_svg_per_diagram_and_choice_by_id():
    document = load_file(DATA / "two_diagrams.bpmn")
    rendered = render_diagrams(document)
    assert [r.diagram_id for r in rendered] == ["dia_one", "dia_two"]
    assert sorted(rendered[0].element_ids) == ["a", "b", "flow"]
    assert rendered[1].element_ids == ("c",)
    assert render_svg(document, diagram_id="dia_two") == rendered[1].svg
    with pytest.raises(BpmnError) as info:
        render_svg(document, diagram_id="nope")
    assert info.value.problems[0].code == "render.unknown_diagram"


def test_dangling_references_are_drawn_as_placeholders():
    data = task_document("T").replace(b'bpmnElement="t1"', b'bpmnElement="missing"')
    root = parse_svg(render_svg(load_document(data)))
    assert "bpmn-unknown" in groups(root)["missing"].get("class")


def _shape_boxes(root: etree._Element) -> dict[str, tuple[float, float, float, float]]:
    """Bounds of each auto-laid-out node, read back from its first drawn element."""
    boxes = {}
    for element_id, g in groups(root).items():
        first = _drawings(g)[0]
        tag = etree.QName(first).localname
        if tag == "circle":
            cx, cy, r = (float(first.get(a)) for a in ("cx", "cy", "r"))
            boxes[element_id] = (cx - r, cy - r, 2 * r, 2 * r)
        elif tag == "rect":
            boxes[element_id] = tuple(float(first.get(a)) for a in ("x", "y", "width", "height"))
        else:  # gateway diamond: "M cx,top L right,cy ..."
            pts = [tuple(map(float, p.lstrip("ML").split(","))) for p in first.get("d").split()[:4]]
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            boxes[element_id] = (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
    return boxes


def test_file_without_di_gets_an_automatic_layout():
    rendered = render_diagrams(load_file(DATA / "no_di.bpmn"))
    assert [r.diagram_id for r in rendered] == ["auto-layout"]
    root = parse_svg(rendered[0].svg)
    shapes = groups(root)
    assert set(shapes) == {
        "pool",
        "start",
        "check",
        "ok",
        "register",
        "fix",
        "late",
        "notify",
        "end",
    }
    assert set(groups(root, "bpmn-edge")) == {"f1", "f2", "f3", "to_fix", "back", "f5", "f6"}
    boxes = _shape_boxes(root)
    # Layers go left to right along the flow; the loop back from "fix" does not push "check".
    assert boxes["start"][0] < boxes["check"][0] < boxes["ok"][0] < boxes["register"][0]
    assert boxes["register"][0] < boxes["end"][0]
    # Nodes do not overlap (the boundary event sits on its host by design).
    nodes = [k for k in boxes if k not in ("pool", "late")]
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            ax, ay, aw, ah = boxes[a]
            bx, by, bw, bh = boxes[b]
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a, b)
    # The pool encloses everything; edges are orthogonal polylines.
    px, py, pw, ph = boxes["pool"]
    for k in nodes:
        x, y, w, h = boxes[k]
        assert px <= x and x + w <= px + pw and py <= y and y + h <= py + ph
    for g in groups(root, "bpmn-edge").values():
        coords = [
            tuple(map(float, p.lstrip("ML").split(",")))
            for p in g.find("s:path", SVG_NS).get("d").split()
        ]
        for (x1, y1), (x2, y2) in itertools.pairwise(coords):
            assert x1 == x2 or y1 == y2
    assert "Проверить" in all_text(shapes["check"])


def test_process_without_shapes_is_laid_out_next_to_drawn_ones():
    data = (
        (DATA / "two_diagrams.bpmn")
        .read_bytes()
        .replace(
            b'<bpmn:process id="p2">',
            b'<bpmn:process id="p3"><bpmn:startEvent id="s3"/><bpmn:endEvent id="e3"/>'
            b'<bpmn:sequenceFlow id="f3" sourceRef="s3" targetRef="e3"/></bpmn:process>'
            b'<bpmn:process id="p2">',
        )
    )
    rendered = render_diagrams(load_document(data))
    assert [r.diagram_id for r in rendered] == ["dia_one", "dia_two", "auto-layout"]
    assert sorted(rendered[2].element_ids) == ["e3", "f3", "s3"]


def test_layering_ignores_back_edges_of_cycles():
    edges = [("s", "a"), ("a", "b"), ("b", "c"), ("c", "a"), ("c", "e")]
    assert _back_edges(["s"], {"s": ["a"], "a": ["b"], "b": ["c"], "c": ["a", "e"], "e": []}) == {
        ("c", "a")
    }
    layer = _layers(["s", "a", "b", "c", "e"], edges, ["s"])
    assert layer == {"s": 0, "a": 1, "b": 2, "c": 3, "e": 4}


def _chain(count: int) -> bytes:
    """A process of ``count`` flow nodes: tasks in a chain with gateways and loops."""
    parts = [HEAD, '<bpmn:process id="big"><bpmn:startEvent id="n0"/>']
    flows = []
    for i in range(1, count - 1):
        kind = "exclusiveGateway" if i % 10 == 0 else "task"
        parts.append(f'<bpmn:{kind} id="n{i}" name="Шаг {i}"/>')
        flows.append((i - 1, i))
        if i % 10 == 0 and i > 20:
            flows.append((i, i - 15))  # a loop back
    parts.append(f'<bpmn:endEvent id="n{count - 1}"/>')
    flows.append((count - 2, count - 1))
    parts.extend(
        f'<bpmn:sequenceFlow id="f{k}" sourceRef="n{a}" targetRef="n{b}"/>'
        for k, (a, b) in enumerate(flows)
    )
    parts.append("</bpmn:process></bpmn:definitions>")
    return "".join(parts).encode("utf-8")


def test_five_thousand_nodes_lay_out_and_render():
    rendered = render_diagrams(load_document(_chain(5000)))
    root = parse_svg(rendered[0].svg)
    assert len(groups(root)) == 5000
    assert len(groups(root, "bpmn-edge")) > 5000


def test_overlapping_loops_run_on_separate_tracks():
    flows = [("s", "a"), ("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("c", "a"), ("e", "b")]
    body = "".join(f'<bpmn:task id="{n}"/>' for n in "abcde") + "".join(
        f'<bpmn:sequenceFlow id="{x}{y}" sourceRef="{x}" targetRef="{y}"/>' for x, y in flows
    )
    data = HEAD + f'<bpmn:process id="p"><bpmn:startEvent id="s"/>{body}</bpmn:process>'
    root = parse_svg(render_svg(load_document((data + "</bpmn:definitions>").encode())))
    edges = groups(root, "bpmn-edge")

    def lowest(flow: str) -> float:
        d = edges[flow].find("s:path", SVG_NS).get("d")
        return max(float(p.split(",")[1]) for p in d.split())

    assert lowest("ca") != lowest("eb")
