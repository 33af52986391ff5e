"""Importing real programmes into the database, and re-importing updated ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from server.extensions import db
from server.models import AgendaItem, Conference, Speaker, Talk, User
from server.services.programme_import import ImportFailed, do_import_programme
from tests.conftest import table_counts
from tests.shared_data import SCHEDULES

pytestmark = pytest.mark.db

REAL_FILES = [
    ("pyfahrplan-34c3-schedule.json", None, 661),
    ("confclerk-fosdem2010-pentabarf.xml", "Europe/Brussels", 300),
    ("voc-pretalx-democon.json", None, 36),
    ("voc-hub-schedule2.json", None, 2),
]


@pytest.mark.parametrize(("name", "tz", "count"), REAL_FILES)
def test_every_event_of_a_real_file_becomes_a_session(
    ctx: Flask, name: str, tz: str | None, count: int
) -> None:
    report = do_import_programme(
        (SCHEDULES / name).read_bytes(), slug="conf", source="cli", default_timezone=tz
    )

    assert report.sessions == count
    assert len(report.added) == count
    stored = db.session.scalar(select(func.count()).select_from(Talk))
    assert stored == count
    tags = db.session.scalars(select(Talk.tag_key)).all()
    assert len(set(tags)) == count


def test_34c3_sample_fields_match_the_file(ctx: Flask) -> None:
    raw = json.loads((SCHEDULES / "pyfahrplan-34c3-schedule.json").read_bytes())
    events = [
        event
        for day in raw["schedule"]["conference"]["days"]
        for room_events in day["rooms"].values()
        for event in room_events
    ]
    do_import_programme(
        (SCHEDULES / "pyfahrplan-34c3-schedule.json").read_bytes(), slug="c34", source="cli"
    )
    talks = db.session.scalars(select(Talk)).all()
    by_title: dict[str, list[Talk]] = {}
    for talk in talks:
        by_title.setdefault(talk.title, []).append(talk)
    for event in events[::40]:
        candidates = by_title[event["title"].strip()]
        match = [t for t in candidates if t.start_at.isoformat() == _utc_iso(event["date"])]
        assert len(match) == 1, event["title"]
        talk = match[0]
        assert talk.room is not None and talk.room.name == event["room"]
        names = [ts.speaker.name for ts in talk.talk_speakers]
        assert names == [p.get("public_name") or p.get("name") for p in event["persons"]]
    conference = db.session.scalars(select(Conference)).one()
    # The file names no timezone; its offsets (+01:00) decide it.
    offset = datetime(2017, 12, 27, 12, tzinfo=ZoneInfo(conference.timezone)).utcoffset()
    assert offset == timedelta(hours=1)


def _utc_iso(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(UTC).isoformat()


def _democon() -> dict[str, Any]:
    return json.loads((SCHEDULES / "voc-pretalx-democon.json").read_bytes())


def _events(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        e for day in doc["schedule"]["conference"]["days"] for evs in day["rooms"].values()
        for e in evs
    ]


def test_reimport_updates_in_place_and_keeps_what_users_attached(ctx: Flask) -> None:
    original = _democon()
    do_import_programme(json.dumps(original).encode(), slug="demo", source="cli")
    first = db.session.scalars(select(Talk).order_by(Talk.start_at, Talk.id)).all()
    starred = first[0]
    user = User(username="u", username_key="u", display_name="U", password_hash="x")
    db.session.add(user)
    db.session.flush()
    db.session.add(AgendaItem(user_id=user.id, talk_id=starred.id))
    db.session.commit()
    ids_before = {t.key: t.id for t in first}

    updated = _democon()
    events = _events(updated)
    events[0]["title"] = events[0]["title"] + " (updated)"
    moved = events[1]
    moved["start"] = "23:30"
    moved["date"] = moved["date"][:11] + "23:30:00" + moved["date"][19:]
    removed = events[2]
    for day in updated["schedule"]["conference"]["days"]:
        for room_events in day["rooms"].values():
            if removed in room_events:
                room_events.remove(removed)
    report = do_import_programme(json.dumps(updated).encode(), slug="demo", source="cli")

    assert [c["title"] for c in report.changed] == [events[0]["title"]]
    assert report.changed[0]["fields"] == ["title"]
    assert [m["key"] for m in report.moved] == [ids_key(moved)]
    assert [c["title"] for c in report.cancelled] == [removed["title"]]
    assert report.added == []
    db.session.expire_all()
    after = db.session.scalars(select(Talk)).all()
    assert {t.key: t.id for t in after} == ids_before
    assert db.session.scalar(select(func.count()).select_from(AgendaItem)) == 1
    cancelled = db.session.scalars(select(Talk).where(Talk.status == "cancelled")).all()
    assert [t.title for t in cancelled] == [removed["title"]]

    # Putting the session back restores it, with the same id.
    again = do_import_programme(json.dumps(original).encode(), slug="demo", source="cli")
    assert [r["title"] for r in again.restored] == [removed["title"]]
    assert db.session.scalar(select(func.count()).select_from(Talk)) == len(ids_before)


def ids_key(event: dict[str, Any]) -> str:
    return str(event["guid"])


def test_reimport_of_the_same_file_changes_nothing(ctx: Flask) -> None:
    data = (SCHEDULES / "pyfahrplan-34c3-schedule.json").read_bytes()
    do_import_programme(data, slug="c34", source="cli")
    version = db.session.scalars(select(Conference.programme_version)).one()

    report = do_import_programme(data, slug="c34", source="cli")

    assert report.changed_anything is False
    assert report.unchanged == 661
    assert db.session.scalars(select(Conference.programme_version)).one() == version


def test_a_malformed_file_writes_nothing(clean_app: Flask) -> None:
    with clean_app.app_context():
        do_import_programme(
            (SCHEDULES / "voc-pretalx-democon.json").read_bytes(), slug="dem", source="cli"
        )
        db.session.remove()
    before = table_counts(clean_app)
    broken = _democon()
    _events(broken)[5]["duration"] = "banana"

    with clean_app.app_context(), pytest.raises(ImportFailed) as failure:
        do_import_programme(json.dumps(broken).encode(), slug="dem", source="cli")

    assert failure.value.details.get("location")
    assert table_counts(clean_app) == before


def test_speaker_handle_overrides_survive_reimport(ctx: Flask) -> None:
    data = (SCHEDULES / "voc-pretalx-democon.json").read_bytes()
    do_import_programme(data, slug="dem", source="cli")
    speaker = db.session.scalars(select(Speaker).order_by(Speaker.id)).first()
    assert speaker is not None
    speaker.handle_overrides = {"x": "somebody"}
    db.session.commit()

    do_import_programme(data, slug="dem", source="cli")

    db.session.expire_all()
    again = db.session.get(Speaker, speaker.id)
    assert again is not None and again.handles["x"] == "somebody"
