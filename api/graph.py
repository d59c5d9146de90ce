"""The dependency graph: node-link JSON, an SVG of a node's neighbourhood, where-used, what a
role depends on. The graph holds published material only: every authenticated actor reads it."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.auth import current_actor
from api.db import db
from api.pagination import Blueprint
from standards.graph import role_node
from standards.graph_store import read_graph
from standards.graph_svg import render_neighbourhood

URL = "/graph"
blp = Blueprint("graph", __name__, description="Dependency graph of the registry")


class GraphQuerySchema(Schema):
    node = fields.String(
        metadata={"description": "node id, e.g. process:SocialSupportMeasure (default: all)"}
    )
    radius = fields.Integer(load_default=1, validate=validate.Range(1, 3))


class NodeQuerySchema(Schema):
    node = fields.String(required=True, metadata={"description": "e.g. document:form:F-REG-1"})
    radius = fields.Integer(load_default=1, validate=validate.Range(1, 3))


@blp.route("")
class Graph(MethodView):
    @blp.arguments(GraphQuerySchema, location="query")
    @blp.response(200)
    def get(self, query):
        """The graph (or a node's neighbourhood) as node-link JSON"""
        node = query.get("node")
        graph = read_graph(db.session, current_actor(), node)
        return {"stats": graph.stats(), **graph.node_link(node, query["radius"])}


@blp.route("/svg")
class GraphSvg(MethodView):
    @blp.arguments(NodeQuerySchema, location="query")
    @blp.response(200, description="the neighbourhood as SVG", content_type="image/svg+xml")
    def get(self, query):
        """An SVG picture of a node's neighbourhood"""
        graph = read_graph(db.session, current_actor(), query["node"])
        svg = render_neighbourhood(graph, query["node"], query["radius"])
        return Response(svg, mimetype="image/svg+xml")


@blp.route("/where-used")
class WhereUsed(MethodView):
    @blp.arguments(NodeQuerySchema, location="query")
    @blp.response(200)
    def get(self, query):
        """Where a node is used: everything pointing at it, by relation"""
        node = query["node"]
        graph = read_graph(db.session, current_actor(), node)
        used = graph.where_used(node)
        callers = []
        if graph.describe(node)["kind"] == "process":
            callers = [
                {**graph.describe(caller), "via": list(chain[1:-1])}
                for caller, chain in graph.callers(node.split(":", 1)[1])
            ]
        return {
            "node": graph.describe(node),
            "used_by": {rel: [graph.describe(n) for n in nodes] for rel, nodes in used.items()},
            "callers": callers,
        }


@blp.route("/roles/<code>")
class RoleDependencies(MethodView):
    @blp.response(200)
    def get(self, code):
        """What a role's work depends on: operations, processes, documents, checkpoints"""
        graph = read_graph(db.session, current_actor(), role_node(code))
        found = graph.role_dependencies(code)
        return {
            "role": graph.describe(role_node(code)),
            **{kind: [graph.describe(n) for n in nodes] for kind, nodes in found.items()},
        }
