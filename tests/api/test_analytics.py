"""Analytics API against a generated congress week, every figure recounted independently.

``tests/fixtures/congress_week.py`` writes about 40,000 posts from 8,000 people into the
demo conference (once for this module) and returns what it wrote. The expected figures
below are counted from that record with plain Python (no code of ours), and every figure
the API answers is compared with them. The clock is set so the week spans the autumn
clock change in Chicago: the repeated 01:00 hour must be two hours.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.extensions import db
from server.services.demo import do_load_demo
from tests.conftest import _empty_tables
from tests.fixtures.congress_week import MENTIONABLE, GenPost, Week, generate_week

pytestmark = pytest.mark.db

BASE = "/api/v1/conferences/nrc26/analytics"
#: The demo's second day is "today": Sunday 1 November 2026, when Chicago falls back.
FAKE_NOW = "2026-11-01T12:00:00-06:00"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def week(app: Flask) -> Iterator[Week]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BACKCHANNEL_FAKE_NOW", FAKE_NOW)
        _empty_tables(app)
        with app.app_context():
            do_load_demo()
            generated = generate_week()
            db.session.remove()
        yield generated
    _empty_tables(app)


@pytest.fixture(scope="module")
def api(app: Flask, week: Week) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def report(api: FlaskClient) -> dict[str, Any]:
    response = api.get(BASE + "?limit=100")
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


# ------------------------------------------------------------------------------------------
# The independent count


@dataclass
class Expected:
    week: Week

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.week.timezone)

    def visible(self) -> list[GenPost]:
        return [p for p in self.week.posts if p.status == "visible"]

    def reach(self, author_id: int) -> int:
        return max(self.week.authors[author_id].followers.values(), default=0)

    def figures(self, posts: Iterable[GenPost]) -> dict[str, int]:
        chosen = list(posts)
        return {
            "posts": len(chosen),
            "participants": len({p.author_id for p in chosen}),
            "impressions": sum(self.reach(p.author_id) for p in chosen),
        }

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

    def by_day(self, posts: list[GenPost]) -> list[dict[str, Any]]:
        groups: dict[date, list[GenPost]] = defaultdict(list)
        for p in posts:
            groups[self.local(p.created_at).date()].append(p)
        first, last = min(groups), max(groups)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return [{"day": d.isoformat(), **self.figures(groups.get(d, []))} for d in days]

    def by_hour(self, posts: list[GenPost]) -> list[dict[str, Any]]:
        # Chicago's offsets are whole hours, so local hours are UTC hours.
        groups: dict[datetime, list[GenPost]] = defaultdict(list)
        for p in posts:
            hour = p.created_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
            groups[hour].append(p)
        hour, last = min(groups), max(groups)
        rows = []
        while hour <= last:
            local = self.local(hour)
            rows.append({"hour": local.isoformat(), "day": local.date().isoformat(),
                         **self.figures(groups.get(hour, []))})
            hour += timedelta(hours=1)
        return rows

    def sessions(self, posts: list[GenPost]) -> list[dict[str, Any]]:
        groups: dict[int, list[GenPost]] = defaultdict(list)
        for p in posts:
            if p.talk_id is not None:
                groups[p.talk_id].append(p)
        rows: list[dict[str, Any]] = []
        for talk_id, chosen in groups.items():
            talk = self.week.talks[talk_id]
            rows.append({
                "id": talk.id,
                "code": talk.code,
                "title": talk.title,
                "track": self.week.tracks[talk.track_id] if talk.track_id else None,
                "room": talk.room,
                "start_at": self.local(talk.start_at).isoformat(),
                "end_at": self.local(talk.end_at).isoformat(),
                **self.figures(chosen),
                "_start": talk.start_at,
            })
        rows.sort(key=lambda r: (-r["posts"], -r["participants"], r["_start"], r["id"]))
        for row in rows:
            del row["_start"]
        return rows

    def tracks(self, posts: list[GenPost]) -> list[dict[str, Any]]:
        groups: dict[int, list[GenPost]] = defaultdict(list)
        for p in posts:
            if p.talk_id is not None and self.week.talks[p.talk_id].track_id is not None:
                groups[self.week.talks[p.talk_id].track_id].append(p)  # type: ignore[index]
        rows: list[dict[str, Any]] = [
            {"id": track_id, "name": self.week.tracks[track_id],
             "sessions": len({p.talk_id for p in chosen}), **self.figures(chosen)}
            for track_id, chosen in groups.items()
        ]
        rows.sort(key=lambda r: (-r["posts"], r["name"].casefold(), r["id"]))
        return rows

    def hashtags(self, posts: list[GenPost]) -> list[dict[str, Any]]:
        groups: dict[str, list[GenPost]] = defaultdict(list)
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        for p in posts:
            firsts: dict[str, str] = {}
            for key, spelling in p.tags:
                firsts.setdefault(key, spelling)
            for key, spelling in firsts.items():
                groups[key].append(p)
                spellings[key][spelling] += 1
        rows: list[dict[str, Any]] = []
        for key, chosen in groups.items():
            top = sorted(spellings[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            rows.append({"hashtag": "#" + top, "key": key, **self.figures(chosen)})
        rows.sort(key=lambda r: (-r["posts"], -r["participants"], r["key"]))
        return rows

    def contributors(self, posts: list[GenPost], by: str) -> list[dict[str, Any]]:
        counts = Counter(p.author_id for p in posts)
        rows: list[dict[str, Any]] = []
        for author_id, n in counts.items():
            person = self.week.authors[author_id]
            if not person.handles:
                continue
            rows.append({
                "id": author_id,
                "username": person.username,
                "display_name": person.display_name,
                "handles": dict(sorted(person.handles.items())),
                "followers": self.reach(author_id),
                "posts": n,
                "impressions": n * self.reach(author_id),
            })
        if by == "posts":
            rows.sort(key=lambda r: (-r["posts"], -r["impressions"], r["id"]))
        else:
            rows.sort(key=lambda r: (-r["impressions"], -r["posts"], r["id"]))
        return rows

    def speakers(self, posts: list[GenPost]) -> list[dict[str, Any]]:
        tokens: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for speaker_id, (_, handles) in self.week.speakers.items():
            for network, handle in handles.items():
                if network in MENTIONABLE and handle:
                    tokens[handle.casefold()].append((speaker_id, network))
        groups: dict[int, list[GenPost]] = defaultdict(list)
        networks: dict[int, Counter[str]] = defaultdict(Counter)
        for p in posts:
            seen: dict[int, set[str]] = defaultdict(set)
            for token, _, _ in p.mentions:
                for speaker_id, network in tokens.get(token, []):
                    seen[speaker_id].add(network)
            for speaker_id, found in seen.items():
                groups[speaker_id].append(p)
                networks[speaker_id].update(found)
        rows: list[dict[str, Any]] = []
        for speaker_id, chosen in groups.items():
            name, handles = self.week.speakers[speaker_id]
            rows.append({
                "id": speaker_id,
                "name": name,
                "handles": {n: h for n, h in sorted(handles.items()) if n in MENTIONABLE},
                **self.figures(chosen),
                "by_network": dict(sorted(networks[speaker_id].items())),
            })
        rows.sort(key=lambda r: (-r["posts"], r["name"].casefold(), r["id"]))
        return rows

    def summary(self, posts: list[GenPost]) -> dict[str, Any]:
        first = min(p.created_at for p in posts).replace(microsecond=0)
        last = max(p.created_at for p in posts).replace(microsecond=0)
        return {
            **self.figures(posts),
            "sessions_with_posts": len({p.talk_id for p in posts if p.talk_id is not None}),
            "posts_outside_sessions": sum(1 for p in posts if p.talk_id is None),
            "hashtags": len({key for p in posts for key, _ in p.tags}),
            "first_post_at": self.local(first).isoformat(),
            "last_post_at": self.local(last).isoformat(),
        }


@pytest.fixture(scope="module")
def expected(week: Week) -> Expected:
    return Expected(week)


def spreadsheet_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def read_csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.mimetype_params.get("charset") == "utf-8"
    raw = response.get_data(as_text=True)
    assert raw.startswith("\ufeff")
    return list(csv.reader(io.StringIO(raw[1:], newline="")))


# ------------------------------------------------------------------------------------------
# The generated week is what the tests need it to be


def test_the_week_is_congress_sized_with_traps(week: Week, expected: Expected) -> None:
    visible = expected.visible()
    assert len(week.posts) >= 40_000 and len(visible) > 35_000
    assert len({p.author_id for p in visible}) > 7_500
    statuses = Counter(p.status for p in week.posts)
    assert {s for s, n in statuses.items() if n > 100} == {
        "visible", "pending", "held", "hidden", "deleted"
    }
    assert any(not a.handles for a in week.authors.values())
    assert sum(1 for p in visible if p.mentions) > 1_000
    assert week.other_conference_posts > 0
    local_hours = {expected.local(p.created_at).strftime("%Y-%m-%dT%H%z") for p in visible}
    assert {"2026-11-01T01-0500", "2026-11-01T01-0600"} <= local_hours


# ------------------------------------------------------------------------------------------
# The report


def test_summary(report: dict[str, Any], expected: Expected) -> None:
    assert report["summary"] == expected.summary(expected.visible())
    assert report["conference"] == {
        "slug": "nrc26",
        "title": "Northern Radiology Congress 2026",
        "hashtag": "NRC26",
        "timezone": "America/Chicago",
    }
    assert report["filters"] == {"day": None, "session_id": None, "track": None}
    assert report["generated_at"] == datetime.fromisoformat(FAKE_NOW).astimezone(UTC).isoformat()


def test_per_day(report: dict[str, Any], expected: Expected) -> None:
    assert report["by_day"] == expected.by_day(expected.visible())
    assert len(report["by_day"]) == 7


def test_per_hour_in_conference_time_with_the_repeated_hour(
    report: dict[str, Any], expected: Expected
) -> None:
    rows = expected.by_hour(expected.visible())

    assert report["by_hour"] == rows
    hours = [row["hour"] for row in report["by_hour"]]
    assert "2026-11-01T01:00:00-05:00" in hours and "2026-11-01T01:00:00-06:00" in hours
    assert len(hours) == len(set(hours))
    assert sum(1 for h in hours if h.startswith("2026-11-01")) == 25


def test_per_session_and_outside(report: dict[str, Any], expected: Expected) -> None:
    visible = expected.visible()
    assert report["sessions"] == expected.sessions(visible)
    assert report["outside_sessions"] == expected.figures(p for p in visible if p.talk_id is None)


def test_per_track(report: dict[str, Any], expected: Expected) -> None:
    assert report["tracks"] == expected.tracks(expected.visible())


def test_per_hashtag(report: dict[str, Any], expected: Expected) -> None:
    rows = expected.hashtags(expected.visible())
    assert report["hashtags"] == rows[:100]
    assert report["hashtags"][0]["hashtag"] == "#NRC26"


def test_top_contributors(report: dict[str, Any], expected: Expected) -> None:
    visible = expected.visible()
    assert report["top_contributors"]["by_posts"] == expected.contributors(visible, "posts")[:100]
    assert (report["top_contributors"]["by_impressions"]
            == expected.contributors(visible, "impressions")[:100])


def test_people_without_handles_count_but_are_not_named(
    report: dict[str, Any], expected: Expected, week: Week
) -> None:
    counts = Counter(p.author_id for p in expected.visible())
    busiest_unlisted = max(
        (a for a in counts if not week.authors[a].handles), key=lambda a: counts[a]
    )
    named = {row["id"] for row in expected.contributors(expected.visible(), "posts")}
    assert busiest_unlisted not in named
    assert counts[busiest_unlisted] > 0


def test_most_mentioned_speakers(report: dict[str, Any], expected: Expected) -> None:
    rows = expected.speakers(expected.visible())
    assert len(rows) > 20
    assert report["speakers"] == rows[:100]
    assert {n for row in report["speakers"] for n in row["by_network"]} >= {"x", "bluesky"}


def test_the_default_limit_is_ten(api: FlaskClient, expected: Expected) -> None:
    body = api.get(BASE).get_json()
    visible = expected.visible()
    assert body["hashtags"] == expected.hashtags(visible)[:10]
    assert body["top_contributors"]["by_posts"] == expected.contributors(visible, "posts")[:10]
    assert body["speakers"] == expected.speakers(visible)[:10]


# ------------------------------------------------------------------------------------------
# Filters


def test_one_day_the_clock_change_day(api: FlaskClient, expected: Expected) -> None:
    day = date(2026, 11, 1)
    chosen = [p for p in expected.visible() if expected.local(p.created_at).date() == day]

    body = api.get(BASE + "?day=2026-11-01&limit=100").get_json()

    assert body["filters"]["day"] == "2026-11-01"
    assert body["summary"] == expected.summary(chosen)
    assert body["by_day"] == expected.by_day(chosen)
    assert body["by_hour"] == expected.by_hour(chosen)
    assert body["sessions"] == expected.sessions(chosen)
    assert body["hashtags"] == expected.hashtags(chosen)[:100]


def test_one_session(api: FlaskClient, expected: Expected, report: dict[str, Any]) -> None:
    session_id = report["sessions"][0]["id"]
    chosen = [p for p in expected.visible() if p.talk_id == session_id]

    body = api.get(f"{BASE}?session_id={session_id}&limit=100").get_json()

    assert body["filters"]["session_id"] == session_id
    assert body["summary"] == expected.summary(chosen)
    assert body["sessions"] == expected.sessions(chosen)
    assert body["hashtags"] == expected.hashtags(chosen)[:100]
    assert body["speakers"] == expected.speakers(chosen)[:100]
    assert body["top_contributors"]["by_posts"] == expected.contributors(chosen, "posts")[:100]


def test_one_track_by_name_any_case(api: FlaskClient, expected: Expected, week: Week) -> None:
    track_id, name = next((i, n) for i, n in week.tracks.items() if n == "Neuroradiology")
    chosen = [p for p in expected.visible()
              if p.talk_id is not None and week.talks[p.talk_id].track_id == track_id]

    body = api.get(BASE + "?track=NEURORADIOLOGY&limit=100").get_json()
    by_id = api.get(f"{BASE}?track={track_id}&limit=100").get_json()

    assert body["filters"]["track"] == name
    assert body["summary"] == expected.summary(chosen)
    assert body["sessions"] == expected.sessions(chosen)
    assert body["tracks"] == expected.tracks(chosen)
    assert by_id["summary"] == body["summary"]


# ------------------------------------------------------------------------------------------
# Leaderboard


def expected_board(expected: Expected, at: datetime, limit: int) -> dict[str, Any]:
    week = expected.week
    day = expected.local(at).date()
    upto = [p for p in expected.visible() if p.talk_id is not None and p.created_at <= at]
    per_talk: dict[int, list[GenPost]] = defaultdict(list)
    for p in upto:
        per_talk[p.talk_id].append(p)  # type: ignore[index]

    def row(talk_id: int) -> dict[str, Any]:
        talk = week.talks[talk_id]
        return {
            "id": talk.id, "code": talk.code, "title": talk.title,
            "track": week.tracks[talk.track_id] if talk.track_id else None, "room": talk.room,
            "start_at": expected.local(talk.start_at).isoformat(),
            "end_at": expected.local(talk.end_at).isoformat(),
            **expected.figures(per_talk.get(talk_id, [])),
        }

    def order(r: dict[str, Any]) -> tuple[int, int, datetime, int]:
        return (-r["posts"], -r["participants"], week.talks[r["id"]].start_at, r["id"])

    scheduled = [t for t in week.talks.values() if t.status == "scheduled"]
    now = sorted((row(t.id) for t in scheduled if t.start_at <= at < t.end_at), key=order)
    today = sorted((row(t.id) for t in scheduled if t.day == day and per_talk.get(t.id)),
                   key=order)
    return {"at": expected.local(at).isoformat(), "day": day.isoformat(),
            "now": now[:limit], "today": today[:limit]}


def test_leaderboard_at_an_instant(api: FlaskClient, expected: Expected, week: Week) -> None:
    posts_per_talk = Counter(p.talk_id for p in expected.visible())
    busiest = max(week.talks.values(), key=lambda t: posts_per_talk[t.id])
    at = busiest.start_at + (busiest.end_at - busiest.start_at) / 2
    local = expected.local(at).replace(tzinfo=None).isoformat()

    body = api.get(f"{BASE}/leaderboard?at={local}&limit=50").get_json()

    board = expected_board(expected, at, 50)
    assert body == board
    assert body["now"] and body["today"]
    assert any(r["id"] == busiest.id and r["posts"] > 0 for r in body["now"])


def test_leaderboard_now_uses_the_clock(api: FlaskClient, expected: Expected) -> None:
    body = api.get(f"{BASE}/leaderboard?limit=5").get_json()
    assert body == expected_board(expected, datetime.fromisoformat(FAKE_NOW), 5)
    assert body["day"] == "2026-11-01"


# ------------------------------------------------------------------------------------------
# CSV


def test_csv_posts_by_hour(api: FlaskClient, expected: Expected) -> None:
    response = api.get(BASE + "/export.csv?table=posts_by_hour")
    rows = read_csv(response)

    assert response.headers["Content-Disposition"] == (
        'attachment; filename="nrc26-posts_by_hour.csv"'
    )
    assert rows[0] == ["hour", "day", "posts", "participants", "impressions"]
    assert rows[1:] == [
        [r["hour"], r["day"], str(r["posts"]), str(r["participants"]), str(r["impressions"])]
        for r in expected.by_hour(expected.visible())
    ]


def test_csv_sessions(api: FlaskClient, expected: Expected) -> None:
    rows = read_csv(api.get(BASE + "/export.csv?table=sessions"))
    header = ["id", "code", "title", "track", "room", "start_at", "end_at", "posts",
              "participants", "impressions"]

    assert rows[0] == header
    assert rows[1:] == [[spreadsheet_safe(r[h]) for h in header]
                        for r in expected.sessions(expected.visible())]


def test_csv_hashtags_lists_every_tag(api: FlaskClient, expected: Expected) -> None:
    rows = read_csv(api.get(BASE + "/export.csv?table=hashtags"))
    tags = expected.hashtags(expected.visible())

    assert len(tags) > 100
    assert rows[0] == ["hashtag", "posts", "participants", "impressions"]
    assert rows[1:] == [[r["hashtag"], str(r["posts"]), str(r["participants"]),
                         str(r["impressions"])] for r in tags]


def test_csv_contributors_escapes_formulas(api: FlaskClient, expected: Expected) -> None:
    rows = read_csv(api.get(BASE + "/export.csv?table=contributors"))
    people = expected.contributors(expected.visible(), "posts")

    def label(handles: dict[str, str]) -> str:
        return " ".join(f"{n}:{h if n == 'linkedin' else '@' + h}"
                        for n, h in sorted(handles.items()))

    assert rows[0] == ["username", "display_name", "handles", "followers", "posts",
                       "impressions"]
    assert rows[1:] == [
        [r["username"], spreadsheet_safe(r["display_name"]), label(r["handles"]),
         str(r["followers"]), str(r["posts"]), str(r["impressions"])]
        for r in people
    ]
    names = [row[1] for row in rows[1:]]
    assert any(n.startswith("'=HYPERLINK") for n in names)
    assert any(n.startswith("'+") for n in names)
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names)


def test_csv_respects_filters(api: FlaskClient, expected: Expected) -> None:
    rows = read_csv(api.get(BASE + "/export.csv?table=hashtags&day=2026-10-31"))
    chosen = [p for p in expected.visible()
              if expected.local(p.created_at).date() == date(2026, 10, 31)]
    assert [r[0] for r in rows[1:]] == [r["hashtag"] for r in expected.hashtags(chosen)]


# ------------------------------------------------------------------------------------------
# Charts


def svg_of(response: Any) -> ET.Element:
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; frame-ancestors 'none'"
    )
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
    return root


def bar_titles(root: ET.Element) -> list[str]:
    return [t.text or "" for r in root.iter(f"{SVG}rect")
            if (t := r.find(f"{SVG}title")) is not None]


def test_posts_per_hour_chart(api: FlaskClient, expected: Expected) -> None:
    root = svg_of(api.get(BASE + "/chart/posts_per_hour.svg"))
    hours = expected.by_hour(expected.visible())

    titles = bar_titles(root)
    assert len(titles) == len(hours)
    assert [int(t.rsplit(": ", 1)[1].split()[0].replace(",", "")) for t in titles] == [
        h["posts"] for h in hours
    ]
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text is not None
    total = sum(h["posts"] for h in hours)
    assert desc.text.startswith(f"{total:,} posts over {len(hours)} hours (America/Chicago time)")


def test_top_hashtags_chart(api: FlaskClient, expected: Expected) -> None:
    root = svg_of(api.get(BASE + "/chart/top_hashtags.svg?limit=5"))
    tags = expected.hashtags(expected.visible())[:5]

    assert bar_titles(root) == [f"{t['hashtag']}: {t['posts']:,} posts" for t in tags]


def test_top_sessions_chart_for_a_day(api: FlaskClient, expected: Expected) -> None:
    root = svg_of(api.get(BASE + "/chart/top_sessions.svg?day=2026-11-01"))
    chosen = [p for p in expected.visible()
              if expected.local(p.created_at).date() == date(2026, 11, 1)]
    sessions = expected.sessions(chosen)[:10]

    assert bar_titles(root) == [
        f"{s['code']} {s['title']}: {s['posts']:,} posts" for s in sessions
    ]
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Sessions with the most posts, #NRC26 \u00b7 2026-11-01"


# ------------------------------------------------------------------------------------------
# Doors: public, strict parameters, one error shape


def test_analytics_are_public_and_the_same_signed_in(
    api: FlaskClient, app: Flask, report: dict[str, Any]
) -> None:
    from server.services.accounts import do_create_user, do_issue_token

    with app.app_context():
        user = do_create_user("curious", "correct horse battery", "Curious")
        token = do_issue_token(user, "api")
        db.session.remove()
    signed_in = api.get(BASE + "?limit=100", headers={"Authorization": f"Bearer {token}"})
    assert signed_in.status_code == 200
    assert signed_in.get_json()["summary"] == report["summary"]


@pytest.mark.parametrize(
    ("path", "status", "code", "field"),
    [
        ("/api/v1/conferences/nope/analytics", 404, "not_found", None),
        (BASE + "?session_id=999999", 404, "not_found", "session_id"),
        (BASE + "?track=No%20such%20track", 404, "not_found", "track"),
        (BASE + "?day=2026-13-01", 422, None, None),
        (BASE + "?day=9999-12-31", 422, "invalid_date", "day"),
        (BASE + "/chart/top_sessions.svg?day=0001-01-01", 422, "invalid_date", "day"),
        (BASE + "?limit=0", 422, None, None),
        (BASE + "?limit=101", 422, None, None),
        (BASE + "?colour=red", 422, None, None),
        (BASE + "?session_id=99999999999", 422, None, None),
        (BASE + "/leaderboard?at=yesterday", 422, "invalid_datetime", "at"),
        (BASE + "/export.csv", 422, None, None),
        (BASE + "/export.csv?table=users", 422, None, None),
        (BASE + "/chart/pie.svg", 404, "not_found", None),
        (BASE + "/chart/top_hashtags.svg?limit=31", 422, None, None),
    ],
)
def test_bad_requests_get_the_error_shape(
    api: FlaskClient, path: str, status: int, code: str | None, field: str | None
) -> None:
    response = api.get(path)

    assert response.status_code == status
    error = response.get_json()["error"]
    assert set(error) >= {"code", "message"}
    if code:
        assert error["code"] == code
    if field:
        assert error["field"] == field


def test_a_session_of_another_conference_is_not_found(api: FlaskClient, app: Flask) -> None:
    from server.models import Conference, Talk

    with app.app_context():
        other = db.session.query(Conference).filter_by(slug="other26").one()
        talk = db.session.query(Talk).first()
        assert talk is not None
        response = api.get(f"/api/v1/conferences/{other.slug}/analytics?session_id={talk.id}")
        db.session.remove()
    assert response.status_code == 404


def test_the_other_conference_counts_only_its_own_posts(api: FlaskClient, week: Week) -> None:
    body = api.get("/api/v1/conferences/other26/analytics").get_json()
    assert body["summary"]["posts"] == week.other_conference_posts
    assert body["summary"]["sessions_with_posts"] == 0
    assert body["by_hour"][0]["hour"].endswith("+01:00")


def test_an_empty_conference_answers_zeroes_and_empty_charts(app: Flask, api: FlaskClient) -> None:
    from server.models import Conference

    with app.app_context():
        db.session.add(Conference(slug="quiet26", title="Quiet", timezone="UTC"))
        db.session.commit()
        db.session.remove()
    body = api.get("/api/v1/conferences/quiet26/analytics").get_json()
    assert body["summary"] == {
        "posts": 0, "participants": 0, "impressions": 0, "sessions_with_posts": 0,
        "posts_outside_sessions": 0, "hashtags": 0, "first_post_at": None, "last_post_at": None,
    }
    assert body["by_day"] == body["by_hour"] == body["sessions"] == body["hashtags"] == []
    root = svg_of(api.get("/api/v1/conferences/quiet26/analytics/chart/posts_per_hour.svg"))
    assert [t.text for t in root.iter(f"{SVG}text")][-1] == "No posts yet"
    rows = read_csv(api.get("/api/v1/conferences/quiet26/analytics/export.csv?table=sessions"))
    assert len(rows) == 1


# ------------------------------------------------------------------------------------------
# Keeping up: new posts, removals and deletions show at once (these run last: they change
# the week)


def test_a_new_post_counts_at_once_and_a_deleted_one_stops_counting(
    api: FlaskClient, app: Flask, report: dict[str, Any], week: Week
) -> None:
    from server.services.accounts import (
        HandleInput,
        do_create_user,
        do_issue_token,
        do_update_profile,
    )

    with app.app_context():
        user = do_create_user("latecomer", "correct horse battery", "Late Comer")
        do_update_profile(user, handles=[HandleInput("x", "LateComerRad", 777),
                                         HandleInput("bluesky", "late.bsky.social", 9000)])
        token = do_issue_token(user, "api")
        db.session.remove()
    auth = {"Authorization": f"Bearer {token}"}
    session_id = report["sessions"][0]["id"]
    speaker_id = report["speakers"][0]["id"]
    speaker_handle = next(h for n, h in report["speakers"][0]["handles"].items() if n == "x"
                          or n == "bluesky")
    created = api.post(
        "/api/v1/conferences/nrc26/posts",
        json={"text": f"Late but here #BrandNewTag #NRC26 @{speaker_handle}",
              "session_id": session_id},
        headers={**auth, "Idempotency-Key": "late-1"},
    )
    assert created.status_code == 201, created.get_json()

    after = api.get(BASE + "?limit=100").get_json()

    before = report["summary"]
    assert after["summary"]["posts"] == before["posts"] + 1
    assert after["summary"]["participants"] == before["participants"] + 1
    assert after["summary"]["impressions"] == before["impressions"] + 9000
    assert after["summary"]["hashtags"] == before["hashtags"] + 1
    tags = read_csv(api.get(BASE + "/export.csv?table=hashtags"))
    assert ["#BrandNewTag", "1", "1", "9000"] in tags
    session = next(s for s in after["sessions"] if s["id"] == session_id)
    assert session["posts"] == report["sessions"][0]["posts"] + 1
    speaker = next(s for s in after["speakers"] if s["id"] == speaker_id)
    assert speaker["posts"] == report["speakers"][0]["posts"] + 1
    noon = next(h for h in after["by_hour"] if h["hour"] == "2026-11-01T12:00:00-06:00")
    noon_before = next(h for h in report["by_hour"] if h["hour"] == noon["hour"])
    assert noon["posts"] == noon_before["posts"] + 1

    deleted = api.delete(f"/api/v1/posts/{created.get_json()['id']}", headers=auth)
    assert deleted.status_code == 204

    again = api.get(BASE + "?limit=100").get_json()
    for key in ("summary", "by_day", "by_hour", "sessions", "tracks", "hashtags",
                "top_contributors", "speakers"):
        assert again[key] == report[key], key


def test_the_last_instant_of_an_hour_stays_in_it(
    api: FlaskClient, app: Flask, report: dict[str, Any]
) -> None:
    from server.models import Conference, Post, User
    from server.services.posts import do_remove_post, next_seq

    when = datetime.fromisoformat("2026-11-02T09:59:59.999900-06:00")
    with app.app_context():
        conference = db.session.query(Conference).filter_by(slug="nrc26").one()
        author = db.session.query(User).filter_by(username="lina").one()
        post = Post(conference_id=conference.id, author_id=author.id, text="last instant",
                    status="visible", idempotency_key="edge-1", request_hash="0" * 64,
                    confirmed_findings=[], created_at=when, published_at=when,
                    seq=next_seq(conference.id))
        db.session.add(post)
        db.session.commit()
        post_id = post.id
        db.session.remove()

    hours = {h["hour"]: h["posts"] for h in api.get(BASE).get_json()["by_hour"]}
    before = {h["hour"]: h["posts"] for h in report["by_hour"]}
    assert hours["2026-11-02T09:00:00-06:00"] == before["2026-11-02T09:00:00-06:00"] + 1
    assert hours["2026-11-02T10:00:00-06:00"] == before["2026-11-02T10:00:00-06:00"]

    with app.app_context():
        do_remove_post(db.session.get_one(Post, post_id), "hidden")
        db.session.remove()
    assert api.get(BASE + "?limit=100").get_json()["by_hour"] == report["by_hour"]


def test_a_post_deleted_outright_stops_counting(
    api: FlaskClient, app: Flask, expected: Expected, week: Week
) -> None:
    from sqlalchemy import delete

    from server.models import Post

    gone = next(p for p in week.posts if p.status == "visible" and p.talk_id is not None)
    with app.app_context():
        post_id = db.session.execute(
            Post.__table__.select().with_only_columns(Post.id).where(
                Post.author_id == gone.author_id, Post.text == gone.text
            )
        ).scalar_one()
        db.session.execute(delete(Post).where(Post.id == post_id))
        db.session.commit()
        db.session.remove()

    body = api.get(BASE).get_json()

    remaining = [p for p in expected.visible() if p is not gone]
    assert body["summary"] == expected.summary(remaining)
    assert body["sessions"] == expected.sessions(remaining)

