"""Garbage-collector policy for the long-running server process.

A full (generation 2) collection walks every tracked object. A server holds many that live
as long as it does: modules, the app, SQLAlchemy's mappers and compiled-statement cache,
the analytics snapshot. In ``bench/bench_programme.py`` each full collection paused a
request for 85-120 ms, and there were 23 of them in 250 listing requests: they were the
p99. Objects that exist once start-up is done are moved out of the collector's sight
(``gc.freeze``); they are never garbage, so nothing is lost but the scanning.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Collect once, then exempt every surviving object from later collections.

    Call when start-up work is done (app created, caches warmed); calling again later
    freezes what was added since. Returns how many objects are frozen in all.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
