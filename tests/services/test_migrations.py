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
