"""Full-text search over the standards in force: their titles and processes, the names and
documentation of their elements, and the text of their attachments (technology cards, forms,
documents).

One interface, two engines:
- PostgreSQL: `to_tsvector('russian', …)` with a GIN index (migration 0004), ranked with
  `ts_rank`, snippets from `ts_headline`; Russian morphology by PostgreSQL's Snowball
  dictionary.
- SQLite: an FTS5 table over `SearchEntry.stems` (the words stemmed with the same Snowball
  Russian stemmer, from the `snowballstemmer` package), ranked with `bm25`, snippets cut in
  Python around the words whose stem matched. The FTS5 table is a derived index: created and
  filled from `search_entries` on first use, so `alembic check` sees only real tables. Without
  FTS5 in the SQLite build, search falls back to LIKE over the stems.

Published versions are indexed when they are published, and dropped when withdrawn; search
returns hits of the versions in force on a date, so everybody — a regional token included —
sees published material only.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import logging
import re
from dataclasses import dataclass

import snowballstemmer
from sqlalchemy import Float, Integer, column, delete, func, literal_column, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bpmn.extract import extract
from bpmn.model import Definitions
from engine.access import Actor
from models import Attachment, SearchEntry, Standard, StandardVersion
from standards.distribution import in_force_query, require_reader
from standards.registry import load_version_document

logger = logging.getLogger(__name__)

WORD = re.compile(r"\w+", re.UNICODE)
MARK_START, MARK_STOP = "<mark>", "</mark>"
TSVECTOR = "to_tsvector('russian', (search_entries.title || ' ') || search_entries.body)"
SNIPPET_WORDS = 24


@dataclass(frozen=True)
class SearchHit:
    standard_key: str
    standard_title: str
    version: int
    kind: str  # standard | element | attachment
    element_id: str | None
    attachment_id: int | None
    title: str
    snippet: str
    rank: float


@functools.lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("russian")


def stems(text_: str) -> list[str]:
    """Lower-cased Snowball stems of the words of `text_` (ё read as е)."""
    words = [w.lower().replace("ё", "е") for w in WORD.findall(text_)]
    return _stemmer().stemWords(words)


_DEFINITIONS: dict[str, Definitions] = {}


def version_definitions(session: Session, version: StandardVersion) -> Definitions:
    """The extracted model of a version, cached by content hash (versions never change)."""
    cached = _DEFINITIONS.get(version.sha256)
    if cached is None:
        cached = extract(load_version_document(session, version))
        if len(_DEFINITIONS) > 256:
            _DEFINITIONS.clear()
        _DEFINITIONS[version.sha256] = cached
    return cached


def _entries(session: Session, version: StandardVersion) -> list[SearchEntry]:
    standard = version.standard
    definitions = version_definitions(session, version)
    common = {"version_id": version.id, "standard_id": standard.id}
    head = [standard.title, standard.key]
    for process in definitions.processes:
        head += [process.name or "", process.documentation or ""]
        head += [lane.name or "" for lane in process.lanes]
    entries = [SearchEntry(kind="standard", title=standard.title, body="\n".join(head), **common)]
    for process in definitions.processes:
        lanes = {n: lane for lane in process.lanes for n in lane.flow_node_ids}
        for node in process.flow_nodes:
            if not node.name:
                continue
            lane = lanes.get(node.id)
            parts = [
                node.documentation or "",
                node.result or "",
                *(f"{f.code or ''} {f.name or ''}" for f in node.forms),
                *(f"{c.ref or ''} {c.title or ''}" for c in node.technology_cards),
                (lane.role.name or "") if lane is not None and lane.role else "",
            ]
            entries.append(
                SearchEntry(
                    kind="element",
                    element_id=node.id,
                    title=node.name,
                    body="\n".join(p for p in parts if p.strip()),
                    **common,
                )
            )
    for attachment in session.scalars(
        select(Attachment).where(Attachment.version_id == version.id)
    ):
        entries.append(
            SearchEntry(
                kind="attachment",
                element_id=attachment.element_id,
                attachment_id=attachment.id,
                title=attachment.title,
                body=attachment.text or "",
                **common,
            )
        )
    for entry in entries:
        entry.stems = " ".join(stems(f"{entry.title}\n{entry.body}"))
    return entries


def index_version(session: Session, version: StandardVersion) -> int:
    """(Re)index a published version; return the number of entries."""
    unindex_version(session, version)
    fts = _fts_ready(session)  # before the new rows: a new FTS table is filled from the old
    entries = _entries(session, version)
    session.add_all(entries)
    session.flush()
    if fts:
        session.execute(
            text("INSERT INTO search_fts (rowid, stems) VALUES (:id, :stems)"),
            [{"id": e.id, "stems": e.stems} for e in entries],
        )
    logger.info("indexed %s: %d entries", version.label, len(entries))
    return len(entries)


def unindex_version(session: Session, version: StandardVersion) -> None:
    """Drop a version's entries (withdrawn, or before reindexing)."""
    ids = list(session.scalars(select(SearchEntry.id).where(SearchEntry.version_id == version.id)))
    if not ids:
        return
    if _fts_ready(session):
        session.execute(text("DELETE FROM search_fts WHERE rowid = :id"), [{"id": i} for i in ids])
    session.execute(delete(SearchEntry).where(SearchEntry.id.in_(ids)))


def _fts_ready(session: Session) -> bool:
    """On SQLite with FTS5: make sure the derived FTS table exists (filling it when new)."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    exists = session.scalar(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_fts'")
    )
    if exists:
        return True
    try:
        with session.begin_nested():
            session.execute(
                text(
                    "CREATE VIRTUAL TABLE search_fts USING fts5(stems, "
                    "tokenize = 'unicode61 remove_diacritics 2')"
                )
            )
    except OperationalError as exc:  # a SQLite built without FTS5
        logger.warning("SQLite without FTS5, search falls back to LIKE: %s", exc)
        return False
    session.execute(
        text("INSERT INTO search_fts (rowid, stems) SELECT id, stems FROM search_entries")
    )
    return True


def search(
    session: Session,
    actor: Actor,
    query: str,
    *,
    on: dt.date | None = None,
    kind: str | None = None,
    limit: int = 20,
) -> list[SearchHit]:
    """Hits in the versions in force on `on` (today), best first, with highlighted snippets."""
    require_reader(actor)
    words = WORD.findall(query)
    if not words:
        return []
    limit = max(1, min(limit, 100))
    in_force = in_force_query(on or dt.date.today()).with_only_columns(StandardVersion.id)
    base = (
        select(SearchEntry, Standard, StandardVersion.number)
        .join(Standard, Standard.id == SearchEntry.standard_id)
        .join(StandardVersion, StandardVersion.id == SearchEntry.version_id)
        .where(SearchEntry.version_id.in_(in_force.scalar_subquery()))
    )
    if kind:
        base = base.where(SearchEntry.kind == kind)
    if session.get_bind().dialect.name == "postgresql":
        return _search_postgresql(session, base, " ".join(words), limit)
    return _search_sqlite(session, base, stems(" ".join(words)), limit)


def _search_postgresql(session: Session, base, query: str, limit: int) -> list[SearchHit]:
    tsquery = func.plainto_tsquery(literal_column("'russian'"), query)
    vector = literal_column(TSVECTOR)
    rank = func.ts_rank(vector, tsquery).label("rank")
    headline = func.ts_headline(
        literal_column("'russian'"),
        SearchEntry.title + " — " + SearchEntry.body,
        tsquery,
        f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords={SNIPPET_WORDS}, MinWords=8",
    ).label("snippet")
    rows = session.execute(
        base.add_columns(rank, headline)
        .where(vector.op("@@")(tsquery))
        .order_by(rank.desc(), SearchEntry.id)
        .limit(limit)
    )
    return [
        _hit(entry, standard, number, snippet, rank)
        for entry, standard, number, rank, snippet in rows
    ]


def _search_sqlite(session: Session, base, wanted: list[str], limit: int) -> list[SearchHit]:
    wanted = [w for w in wanted if w]
    if _fts_ready(session):
        match = " AND ".join('"' + w.replace('"', '""') + '"*' for w in wanted)
        scored = (
            text(
                "SELECT rowid AS id, bm25(search_fts) AS score FROM search_fts "
                "WHERE search_fts MATCH :q"
            )
            .columns(column("id", Integer), column("score", Float))
            .bindparams(q=match)
            .subquery()
        )
        rows = session.execute(
            base.add_columns(scored.c.score)
            .join(scored, scored.c.id == SearchEntry.id)
            .order_by(scored.c.score, SearchEntry.id)
            .limit(limit)
        )
        return [
            _hit(entry, standard, number, _snippet(entry, wanted), -float(score))
            for entry, standard, number, score in rows
        ]
    query = base
    for stem in wanted:
        query = query.where(SearchEntry.stems.like(f"%{stem}%"))
    rows = session.execute(query.order_by(SearchEntry.id).limit(limit))
    return [_hit(e, s, n, _snippet(e, wanted), 0.0) for e, s, n in rows]


def _snippet(entry: SearchEntry, wanted: list[str]) -> str:
    """About SNIPPET_WORDS words of the entry around its first matching word, marked."""
    source = f"{entry.title} — {entry.body}".replace("\n", " ")
    tokens = list(WORD.finditer(source))
    hits = [i for i, t in enumerate(tokens) if _matches(t.group(), wanted)]
    if not tokens:
        return ""
    first = hits[0] if hits else 0
    start_token = max(0, first - SNIPPET_WORDS // 3)
    end_token = min(len(tokens), start_token + SNIPPET_WORDS)
    pieces, cursor = [], tokens[start_token].start()
    for i in range(start_token, end_token):
        token = tokens[i]
        pieces.append(source[cursor : token.start()])
        word = token.group()
        pieces.append(f"{MARK_START}{word}{MARK_STOP}" if i in hits else word)
        cursor = token.end()
    prefix = "… " if start_token > 0 else ""
    suffix = " …" if end_token < len(tokens) else ""
    return prefix + "".join(pieces).strip() + suffix


def _matches(word: str, wanted: list[str]) -> bool:
    stem = stems(word)
    return bool(stem) and any(stem[0].startswith(w) for w in wanted)


def _hit(entry: SearchEntry, standard: Standard, number: int, snippet: str, rank) -> SearchHit:
    return SearchHit(
        standard_key=standard.key,
        standard_title=standard.title,
        version=number,
        kind=entry.kind,
        element_id=entry.element_id,
        attachment_id=entry.attachment_id,
        title=entry.title,
        snippet=snippet,
        rank=round(float(rank or 0), 6),
    )


def escape(text_: str) -> str:
    """HTML-escape a snippet except for its marks (for pages that render snippets)."""
    return (
        html.escape(text_)
        .replace(html.escape(MARK_START), MARK_START)
        .replace(html.escape(MARK_STOP), MARK_STOP)
    )
