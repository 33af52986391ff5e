"""The models and the Alembic migrations describe the same schema."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect, text

from server.extensions import db

pytestmark = pytest.mark.db


def test_models_match_the_migrated_database(app: Flask) -> None:
    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": False}
            )
            diff = compare_metadata(context, db.metadata)
        db.session.remove()

    assert diff == []


def test_database_is_at_the_head_revision(app: Flask) -> None:
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    with app.app_context():
        migrate: Migrate = app.extensions["migrate"]
        config = migrate.migrate.get_config(migrate.directory)
        heads = set(ScriptDirectory.from_config(config).get_heads())
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version"))
            current = {row[0] for row in rows}
            tables = set(inspect(conn).get_table_names())
        db.session.remove()

    assert current == heads
    assert {t.name for t in db.metadata.sorted_tables} <= tables


def test_upgrading_a_database_with_data_keeps_rows_that_point_at_rebuilt_tables(
    tmp_path: object,
) -> None:
    """SQLite rebuilds ``posts`` in 0006; reports pointing at posts must survive it."""
    from pathlib import Path

    from flask_migrate import upgrade

    from server.app import create_app
    from tests.conftest import base_config

    folder = Path(str(tmp_path))
    url = f"sqlite:///{folder / 'old.db'}"
    application = create_app(base_config(url, folder))
    with application.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, username, username_key, display_name, password_hash, "
                    "role, created_at) VALUES (1, 'a', 'a', 'A', 'x', 'attendee', '2026-01-01'), "
                    "(2, 'b', 'b', 'B', 'x', 'attendee', '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO conferences (id, slug, title, timezone, programme_version, "
                    "created_at, updated_at, post_seq, premoderation, report_threshold) VALUES "
                    "(1, 'old', 'Old', 'UTC', 1, '2026-01-01', '2026-01-01', 1, 0, 3)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO posts (id, conference_id, author_id, text, status, seq, "
                    "idempotency_key, request_hash, confirmed_findings, created_at, flags, "
                    "needs_review) VALUES (1, 1, 1, 'hi', 'visible', 1, 'k', 'h', '[]', "
                    "'2026-01-01', '[]', 0)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO reports (post_id, reporter_id, reason, created_at) "
                    "VALUES (1, 2, 'spam', '2026-01-01')"
                )
            )

        upgrade()

        with db.engine.connect() as conn:
            reports = conn.execute(text("SELECT COUNT(*) FROM reports")).scalar_one()
            posts = conn.execute(text("SELECT COUNT(*) FROM posts")).scalar_one()
            fk_on = conn.execute(text("PRAGMA foreign_keys")).scalar_one()
        db.engine.dispose()

    assert (reports, posts, fk_on) == (1, 1, 1)
