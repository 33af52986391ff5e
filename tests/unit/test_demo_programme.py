"""The demo conference shipped in ``server/demo``: valid, consistent and up to date."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from server.demo import EXTRAS_FILE, PROGRAMME_FILE
from server.domain.handles import handle_from_url, normalize_handle
from tests.shared_data import REPO, SCHEDULES

pytestmark = pytest.mark.unit

TZ = ZoneInfo("America/Chicago")
SERVICE_NETWORK = {
    "TWITTER": "x",
    "BLUESKY": "bluesky",
    "MASTODON": "mastodon",
    "THREADS": "threads",
}


def _load(path: Any) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


PROGRAMME = _load(PROGRAMME_FILE)
SCHEDULE = PROGRAMME["schedule"]
CONFERENCE = SCHEDULE["conference"]
EVENTS = SCHEDULE["events"]
EXTRAS = _load(EXTRAS_FILE)


def _dt(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, f"{value} has no UTC offset"
    return parsed


def _minutes(duration: str) -> int:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?", duration)
    assert match, f"unexpected duration {duration}"
    return int(match[1] or 0) * 60 + int(match[2] or 0)


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [k for key, item in value.items() for k in [key, *_keys(item)]]
    if isinstance(value, list):
        return [k for item in value for k in _keys(item)]
    return []


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return _dt(a["start"]) < _dt(b["end"]) and _dt(b["start"]) < _dt(a["end"])


def test_demo_programme_validates_against_schema2() -> None:
    import jsonschema
    schema = _load(SCHEDULES / "schema" / "schema2.json")
    validator = jsonschema.Draft6Validator(
        schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER
    )

    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(PROGRAMME)
    ]

    assert errors == []


def test_demo_programme_size_matches_the_brief() -> None:
    assert CONFERENCE["acronym"] == EXTRAS["conference"]["slug"] == "nrc26"
    assert CONFERENCE["time_zone_name"] == "America/Chicago"
    assert len(CONFERENCE["days"]) == 4
    assert 6 <= len(CONFERENCE["rooms"]) <= 8
    assert 8 <= len(CONFERENCE["tracks"]) <= 10
    assert 90 <= len(EVENTS) <= 120
    assert 120 <= len(SCHEDULE["persons"]) <= 160
    assert {e["language"] for e in EVENTS} == {"en", "es"}


def test_every_event_end_matches_start_plus_duration() -> None:
    wrong = [
        e["code"]
        for e in EVENTS
        if _dt(e["end"]) - _dt(e["start"]) != timedelta(minutes=_minutes(e["duration"]))
        or _dt(e["end"]) <= _dt(e["start"])
    ]

    assert wrong == []


def test_no_two_events_overlap_in_the_same_room() -> None:
    clashes = [
        (a["code"], b["code"])
        for a, b in combinations(EVENTS, 2)
        if a["room"]["guid"] == b["room"]["guid"] and _overlap(a, b)
    ]

    assert clashes == []


def test_nobody_is_booked_in_two_places_at_once() -> None:
    clashes = [
        (p["name"], a["code"], b["code"])
        for a, b in combinations(EVENTS, 2)
        if _overlap(a, b)
        for p in a["participants"]
        if p["guid"] in {q["guid"] for q in b["participants"]}
    ]

    assert clashes == []


def test_session_codes_guids_and_slugs_are_unique() -> None:
    for key in ("code", "guid", "slug"):
        counts = Counter(e[key] for e in EVENTS)
        assert [v for v, n in counts.items() if n > 1] == [], key


def test_all_times_fall_within_the_conference_days() -> None:
    days = {d["date"]: (_dt(d["start"]), _dt(d["end"])) for d in CONFERENCE["days"]}
    first, last = min(days), max(days)
    assert "2026-11-29" <= first <= last <= "2026-12-04"

    outside = []
    for e in EVENTS:
        start, end = _dt(e["start"]), _dt(e["end"])
        day = days.get(start.astimezone(TZ).date().isoformat())
        if day is None or not day[0] <= start < end <= day[1]:
            outside.append(e["code"])

    assert outside == []
    assert _dt(CONFERENCE["start"]) == min(_dt(e["start"]) for e in EVENTS)
    assert _dt(CONFERENCE["end"]) == max(_dt(e["end"]) for e in EVENTS)


def test_rooms_and_tracks_referenced_by_events_exist() -> None:
    rooms = {r["guid"]: r["name"] for r in CONFERENCE["rooms"]}
    tracks = {t["slug"] for t in CONFERENCE["tracks"]}

    assert [e["code"] for e in EVENTS if rooms.get(e["room"]["guid"]) != e["room"]["name"]] == []
    assert [e["code"] for e in EVENTS if e["track"]["slug"] not in tracks] == []
    assert {e["track"]["slug"] for e in EVENTS} == tracks


def test_every_participant_exists_in_schedule_persons() -> None:
    persons = {p["guid"]: p["name"] for p in SCHEDULE["persons"]}

    missing = [
        (e["code"], p["name"])
        for e in EVENTS
        for p in e["participants"]
        if persons.get(p["guid"]) != p["name"]
    ]

    assert missing == []
    assert len(persons) == len(SCHEDULE["persons"])
    assert all({p["role"] for p in e["participants"]} & {"SPEAKER"} for e in EVENTS)


def test_person_social_links_parse_as_handles_of_their_network() -> None:
    wrong = []
    for person in SCHEDULE["persons"]:
        for link in person["links"]:
            parsed = handle_from_url(link["url"])
            expected = SERVICE_NETWORK.get(link.get("service", ""), "linkedin")
            if parsed is None or parsed[0] != expected:
                wrong.append((person["name"], link["url"]))

    assert wrong == []
    networks = Counter(len(p["links"]) for p in SCHEDULE["persons"])
    assert networks[0] > 0, "some speakers have no handles at all"
    assert networks[5] > 0, "a few speakers are on every network"


def test_extras_session_codes_exist_in_the_programme() -> None:
    codes = {e["code"] for e in EVENTS}
    referenced = set(EXTRAS["session_policies"]["sessions"])
    referenced |= {t["related_session"] for t in EXTRAS["tweetups"] if "related_session" in t}

    assert referenced - codes == set()


def test_exactly_one_opted_out_and_one_embargoed_session() -> None:
    policies = EXTRAS["session_policies"]["sessions"]
    by_policy = Counter(p["policy"] for p in policies.values())

    assert by_policy["speaker_opted_out"] == 1
    assert by_policy["embargoed"] == 1
    assert 2 <= by_policy["no_photos"] <= 3
    assert set(by_policy) == {"speaker_opted_out", "embargoed", "no_photos"}
    assert all(p["note"] for p in policies.values())


def test_embargo_lifts_after_the_embargoed_session_ends() -> None:
    code, policy = next(
        (c, p)
        for c, p in EXTRAS["session_policies"]["sessions"].items()
        if p["policy"] == "embargoed"
    )
    event = next(e for e in EVENTS if e["code"] == code)

    lifts = _dt(policy["embargo_until"])

    assert lifts.astimezone(TZ) == datetime(2026, 12, 2, 7, 0, tzinfo=TZ)
    assert _dt(event["end"]) < lifts


def test_track_hashtags_cover_every_track() -> None:
    hashtags = EXTRAS["track_hashtags"]

    assert set(hashtags) == {t["slug"] for t in CONFERENCE["tracks"]}
    assert all(tags and all(t.startswith("#") for t in tags) for tags in hashtags.values())
    assert EXTRAS["conference"]["hashtag"] == "#NRC26"


def test_tweetups_and_tweetchats_are_during_the_congress() -> None:
    start, end = _dt(CONFERENCE["start"]) - timedelta(days=1), _dt(CONFERENCE["end"])
    users = {u["username"] for u in EXTRAS["demo_users"]}

    for item in [*EXTRAS["tweetups"], *EXTRAS["tweetchats"]]:
        assert start <= _dt(item["start"]) < _dt(item["end"]) <= end + timedelta(days=1)
        assert item["hashtag"].startswith("#")
        assert item["host"] in users
    assert all(t["capacity"] > 0 for t in EXTRAS["tweetups"])
    assert all(len(c["questions"]) == 3 for c in EXTRAS["tweetchats"])
    assert all(
        q.startswith(f"Q{i}: ")
        for c in EXTRAS["tweetchats"]
        for i, q in enumerate(c["questions"], start=1)
    )


def test_demo_users_have_valid_handles_and_no_passwords() -> None:
    users = EXTRAS["demo_users"]

    assert Counter(u["role"] for u in users) == {"organizer": 1, "moderator": 1, "attendee": 3}
    assert [k for k in _keys(EXTRAS) if "password" in k.lower()] == []
    for user in users:
        assert set(user["followers"]) == set(user["handles"])
        for network, handle in user["handles"].items():
            normalize_handle(network, handle)  # raises ValueError on a malformed handle


def test_committed_programme_matches_the_generator() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "generate_demo_programme.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr


def test_sessions_of_one_track_never_run_in_parallel() -> None:
    clashes = [
        (a["code"], b["code"])
        for a, b in combinations(EVENTS, 2)
        if a["track"]["slug"] == b["track"]["slug"] and _overlap(a, b)
    ]

    assert clashes == []
