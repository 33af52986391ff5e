"""Programme benchmark: import, full listing, filtered search, now/next and 304s.

Builds a 2,000+ session congress from the largest shared file (34C3, 661 events) by
repeating it with new guids on later weeks, then times, in-process through the Flask test
client (server time without the network):

    .venv/bin/python bench/bench_programme.py                 # SQLite in a temp dir
    .venv/bin/python bench/bench_programme.py --database postgresql://postgres@127.0.0.1:5432/test

The PostgreSQL run drops and recreates the ``public`` schema of that database.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.app import create_app
from server.config import normalise_database_url
from server.extensions import db
from server.gcpolicy import freeze_startup_objects
from server.services.programme_import import do_import_programme

SOURCE = ROOT.parent / "shared" / "data" / "schedules" / "pyfahrplan-34c3-schedule.json"


def big_programme(copies: int) -> bytes:
    """The 34C3 file repeated ``copies`` times, each copy a week later with fresh guids."""
    doc = json.loads(SOURCE.read_bytes())
    days = doc["schedule"]["conference"]["days"]
    out_days = []
    for copy in range(copies):
        shift = timedelta(days=7 * copy)
        for day in days:
            new_day = json.loads(json.dumps(day))
            new_day["index"] = len(out_days) + 1
            new_day["date"] = str((datetime.fromisoformat(day["date"]) + shift).date())
            for events in new_day["rooms"].values():
                for event in events:
                    event["guid"] = f"{event['guid']}-w{copy}"
                    event["id"] = int(event["id"]) + 100000 * copy
                    event["date"] = (datetime.fromisoformat(event["date"]) + shift).isoformat()
            out_days.append(new_day)
    doc["schedule"]["conference"]["days"] = out_days
    doc["schedule"]["conference"]["daysCount"] = len(out_days)
    return json.dumps(doc).encode()


def timed(fn: Any, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered):7.2f} ms   p99 {p99:7.2f} ms   (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default=None)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--runs", type=int, default=50)
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
        "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING",
    })
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    data = big_programme(args.copies)
    print(f"database: {url.split('@')[-1]}")

    import_ms = []
    for attempt in range(3):
        with app.app_context():
            start = time.perf_counter()
            report = do_import_programme(data, slug=f"big{attempt}", source="cli")
            import_ms.append((time.perf_counter() - start) * 1000)
            db.session.remove()
    sessions = report.sessions
    print(f"import of {sessions} sessions (new conference): {summary(import_ms)}")
    with app.app_context():
        start = time.perf_counter()
        do_import_programme(data, slug="big0", source="cli")
        print(f"re-import of the same {sessions} sessions (unchanged): "
              f"{(time.perf_counter() - start) * 1000:.0f} ms")
        db.session.remove()

    client = app.test_client()
    freeze_startup_objects()  # as `backchannel serve` does once it has started
    base = "/api/v1/conferences/big0/sessions"

    def full_listing() -> None:
        cursor, seen = None, 0
        while True:
            page = client.get(base + "?limit=500" + (f"&cursor={cursor}" if cursor else ""))
            body = page.get_json()
            seen += len(body["items"])
            cursor = body["next"]
            if not cursor:
                break
        assert seen == sessions, seen

    def first_page() -> None:
        assert client.get(base + "?limit=100").status_code == 200

    def search() -> None:
        r = client.get(base + "?q=security&limit=100")
        assert r.status_code == 200 and r.get_json()["items"]

    def filtered() -> None:
        r = client.get(base + "?day=2017-12-28&type=lecture&limit=100")
        assert r.status_code == 200

    def now_next() -> None:
        r = client.get("/api/v1/conferences/big0/now-next?at=2017-12-28T15:00:00%2B01:00")
        assert r.status_code == 200 and r.get_json()["now"]

    etag = client.get(base + "?limit=100").headers["ETag"]

    def not_modified() -> None:
        r = client.get(base + "?limit=100", headers={"If-None-Match": etag})
        assert r.status_code == 304

    print(f"full listing, {sessions} sessions in pages of 500: {summary(timed(full_listing, 10))}")
    print(f"first page of 100:                         {summary(timed(first_page, args.runs))}")
    print(f"search q=security (page of 100):           {summary(timed(search, args.runs))}")
    print(f"filter day+type (page of 100):             {summary(timed(filtered, args.runs))}")
    print(f"now/next at an instant:                    {summary(timed(now_next, args.runs))}")
    print(f"304 for an unchanged listing:              {summary(timed(not_modified, args.runs))}")


if __name__ == "__main__":
    main()
