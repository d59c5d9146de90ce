"""Every BPMN file of the MIWG corpus renders to well-formed SVG with a group per BPMNShape."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from bpmn.loading import load_file
from bpmn.render import render_diagrams
from tests.corpus import CORPUS

FILES = sorted(CORPUS.rglob("*.bpmn")) if CORPUS.is_dir() else []
SVG = "{http://www.w3.org/2000/svg}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"


@pytest.mark.skipif(not FILES, reason="MIWG corpus not available")
@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(CORPUS)) for p in FILES])
def test_corpus_file_renders(path: Path):
    document = load_file(path)
    rendered = render_diagrams(document)
    diagrams = list(document.root.iter(f"{BPMNDI}BPMNDiagram"))
    assert len(rendered) >= len(diagrams) > 0
    for diagram, result in zip(diagrams, rendered, strict=False):
        svg = etree.fromstring(result.svg.encode("utf-8"))
        assert svg.tag == f"{SVG}svg"
        expected = Counter(
            shape.get("bpmnElement") or shape.get("id")
            for shape in diagram.iter(f"{BPMNDI}BPMNShape")
        )
        drawn = Counter(
            g.get("data-element-id")
            for g in svg.iter(f"{SVG}g")
            if "bpmn-shape" in (g.get("class") or "").split()
        )
        assert drawn == expected
        assert "href" not in result.svg and "<script" not in result.svg
        width, height = map(float, svg.get("viewBox").split()[2:])
        assert width > 0 and height > 0
