"""Periodic work inside the server process: programme URL refreshes, embargo releases."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from server.clock import now
from server.extensions import db
from server.gcpolicy import freeze_startup_objects
from server.services import analytics
from server.services.moderation import release_due_embargoes
from server.services.remote_schedule import refresh_due

log = logging.getLogger(__name__)
REFRESH_CHECK_SECONDS = 60


def start_background_jobs(app: Flask, runner: Any) -> None:
    """Start the loop on ``runner`` (the Socket.IO server's green-thread helpers).

    Embargoed posts are released on every tick whatever ``IMPORT_REFRESH_ENABLED`` says
    (``EMBARGO_RELEASE_ENABLED=False`` turns that off, for tests that drive it directly).
    """
    def warm() -> None:
        with app.app_context():
            try:
                analytics.warm_up()
            except Exception:
                log.exception("analytics warm-up failed")
            finally:
                db.session.remove()
            freeze_startup_objects()  # the warmed snapshot lives as long as the process

    runner.start_background_task(warm)
    refresh = app.config.get("IMPORT_REFRESH_ENABLED", True)
    release = app.config.get("EMBARGO_RELEASE_ENABLED", True)
    if not (refresh or release):
        return

    def loop() -> None:
        while True:
            runner.sleep(REFRESH_CHECK_SECONDS)
            with app.app_context():
                try:
                    if refresh:
                        for slug, outcome in refresh_due(now()).items():
                            log.info("programme refresh %s: %s", slug, outcome)
                except Exception:
                    log.exception("programme refresh loop failed")
                finally:
                    db.session.remove()
                try:
                    if release:
                        released = release_due_embargoes(now())
                        if released:
                            log.info("released %d embargoed post(s)", released)
                except Exception:
                    log.exception("embargo release failed")
                finally:
                    db.session.remove()

    runner.start_background_task(loop)
