"""SVG rendering of BPMN diagrams (from BPMN DI, or laid out automatically) with overlays."""

from bpmn.render.svg import Overlay, RenderedDiagram, render_diagrams, render_svg

__all__ = ["Overlay", "RenderedDiagram", "render_diagrams", "render_svg"]
