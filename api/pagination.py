"""Paginated lists: `?page=1&page_size=50` (at most 500); the body is the list, the totals are
in the `X-Pagination` header (flask-smorest's convention). Every resource module uses this
`Blueprint`, so the limits are the same everywhere."""

from __future__ import annotations

from typing import Any

import flask_smorest
from sqlalchemy import Select, func, select

from api.db import db


class Blueprint(flask_smorest.Blueprint):
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 500}


def page_of(query: Select, pagination_parameters) -> list[Any]:
    """Run `query` for one page and record the total item count for the header."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pagination_parameters.item_count = total
    return list(
        db.session.scalars(
            query.limit(pagination_parameters.page_size).offset(pagination_parameters.first_item)
        )
    )
