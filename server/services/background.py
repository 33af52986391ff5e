"""Periodic work inside the server process: programme URL refreshes."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from server.clock import now
from server.extensions import db
from server.services.remote_schedule import refresh_due

log = logging.getLogger(__name__)
REFRESH_CHECK_SECONDS = 60


def start_background_jobs(app: Flask, runner: Any) -> None:
    """Start the refresh loop on ``runner`` (the Socket.IO server's green-thread helpers)."""
    if not app.config.get("IMPORT_REFRESH_ENABLED", True):
        return

    def loop() -> None:
        while True:
            runner.sleep(REFRESH_CHECK_SECONDS)
            with app.app_context():
                try:
                    for slug, outcome in refresh_due(now()).items():
                        log.info("programme refresh %s: %s", slug, outcome)
                except Exception:
                    log.exception("programme refresh loop failed")
                finally:
                    db.session.remove()

    runner.start_background_task(loop)
