"""Start-up reads the analytics snapshot so the first report after a restart is quick."""

from __future__ import annotations

import pytest
from flask import Flask

from server.extensions import db
from server.services import analytics
from server.services.demo import do_load_demo

pytestmark = pytest.mark.db


def test_warm_up_reads_the_posts_before_anyone_asks(clean_app: Flask) -> None:
    with clean_app.app_context():
        analytics._SNAPSHOTS.clear()
        do_load_demo()
        warmed = analytics.warm_up()
        cached = len(analytics._SNAPSHOTS)
        db.session.remove()

    assert (warmed, cached) == (1, 1)
