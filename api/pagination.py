"""Paginated lists: `?page=1&page_size=50`; the body is the list, the totals are in the
`X-Pagination` header (flask-smorest's convention)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select

from api.db import db


def page_of(query: Select, pagination_parameters) -> list[Any]:
    """Run `query` for one page and record the total item count for the header."""
    limit = min(pagination_parameters.page_size, current_app.config["MAX_PAGE_SIZE"])
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pagination_parameters.item_count = total
    offset = (pagination_parameters.page - 1) * limit
    return list(db.session.scalars(query.limit(limit).offset(offset)))
