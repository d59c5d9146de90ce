"""The request's database session: one per request, one commit per request, in one place.

A request that ends with a status below 400 commits; anything else — an error response or an
exception — rolls back, so a failed request leaves nothing half-written.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models import make_engine


class Database:
    def init_app(self, app: Flask) -> None:
        connection = app.config.get("DATABASE_CONNECTION")
        if connection is not None:
            # Tests: join the test's transaction; commit() releases a savepoint.
            factory = sessionmaker(
                bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
            engine = connection.engine
        else:
            engine = make_engine(app.config["DATABASE_URL"], pool_pre_ping=True)
            factory = sessionmaker(bind=engine, expire_on_commit=False)
        app.extensions["etalon.db"] = (engine, factory)
        app.after_request(self._finish)
        app.teardown_request(self._close)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["etalon.db"][0]

    def new_session(self) -> Session:
        return current_app.extensions["etalon.db"][1]()

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self.new_session()
        return g.db_session

    @staticmethod
    def _finish(response):
        session: Session | None = g.get("db_session")
        if session is not None:
            if response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        return response

    @staticmethod
    def _close(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


db = Database()
