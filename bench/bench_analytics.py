"""Analytics benchmark: the analytics API over a generated congress week.

Loads the demo conference, writes a congress week into it with the test generator
(``tests/fixtures/congress_week.py``: 40,000 posts from 8,000 people by default), then
times each analytics request in-process through the Flask test client (server time
without the network): wall-clock median and p99, and the median CPU time of this process
(steadier than wall time on a shared machine).

    .venv/bin/python bench/bench_analytics.py                 # SQLite in a temp dir
    .venv/bin/python bench/bench_analytics.py --database postgresql://postgres@127.0.0.1:5432/bench_analytics

The PostgreSQL run drops and recreates the ``public`` schema of that database (use a
database of its own: the test suite resets ``test``).

"first report" is the first request after the process starts: it also reads every post's
hashtags and mentions from its text (memoised per text afterwards, see
``server/services/analytics.py``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The generated week spans the autumn clock change, as in the tests.
os.environ.setdefault("BACKCHANNEL_FAKE_NOW", "2026-11-01T12:00:00-06:00")

from server.app import create_app
from server.config import normalise_database_url
from server.extensions import db
from server.services.demo import do_load_demo
from tests.fixtures.congress_week import generate_week

BASE = "/api/v1/conferences/nrc26/analytics"


def timed(fn: Callable[[], None], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of ``runs`` calls."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def summary(samples: tuple[list[float], list[float]]) -> str:
    wall, cpu = sorted(samples[0]), samples[1]
    p99 = wall[min(len(wall) - 1, int(len(wall) * 0.99))]
    return (
        f"median {statistics.median(wall):7.1f} ms   p99 {p99:7.1f} ms   "
        f"cpu median {statistics.median(cpu):7.1f} ms   (n={len(wall)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default=None)
    parser.add_argument("--posts", type=int, default=40_000)
    parser.add_argument("--authors", type=int, default=8_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = normalise_database_url(args.database) if args.database else f"sqlite:///{tmp}/bench.db"
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SOCKETIO_ASYNC_MODE": "threading",
        "RATELIMIT_ENABLED": False, "IMPORT_REFRESH_ENABLED": False, "LOG_LEVEL": "WARNING",
    })
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        do_load_demo()
        start = time.perf_counter()
        week = generate_week(posts=args.posts, authors=args.authors)
        took = time.perf_counter() - start
        visible = sum(1 for p in week.posts if p.status == "visible")
        db.session.remove()
    print(f"database: {url.split('@')[-1]}")
    print(f"generated {len(week.posts):,} posts ({visible:,} visible) from "
          f"{len(week.authors):,} authors in {took:.1f} s")

    client = app.test_client()

    def get(path: str) -> Callable[[], None]:
        def call() -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])

        return call

    print(f"first report (cold text cache):      {summary(timed(get(BASE), 1))}")
    cases = [
        ("report, whole week", BASE),
        ("report, top lists of 100", BASE + "?limit=100"),
        ("report, one day", BASE + "?day=2026-11-01"),
        ("report, one track", BASE + "?track=Neuroradiology"),
        ("report, one session", None),
        ("leaderboard at an instant", BASE + "/leaderboard?at=2026-11-01T10:30"),
        ("CSV posts_by_hour", BASE + "/export.csv?table=posts_by_hour"),
        ("CSV contributors (all)", BASE + "/export.csv?table=contributors"),
        ("SVG posts per hour", BASE + "/chart/posts_per_hour.svg"),
        ("SVG top hashtags", BASE + "/chart/top_hashtags.svg"),
    ]
    busiest = client.get(BASE).get_json()["sessions"][0]["id"]
    for label, path in cases:
        path = path or f"{BASE}?session_id={busiest}"
        print(f"{label + ':':37s}{summary(timed(get(path), args.runs))}")


if __name__ == "__main__":
    main()
