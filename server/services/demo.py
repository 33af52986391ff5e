"""The demo conference: the project's own radiology congress, moved to run this week.

``backchannel demo`` creates it or refreshes it (re-running it moves the dates again and
updates in place, so stars and posts stay attached).
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import regex
from sqlalchemy import select

from server.clock import now
from server.domain.accounts import username_key
from server.domain.programme import ProgrammeRecord, shift_days
from server.extensions import db
from server.models import Conference, Talk, Track, User
from server.services import accounts, demo_connecting
from server.services.programme_import import do_import_programme

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
DEMO_PASSWORD_ENV = "BACKCHANNEL_DEMO_PASSWORD"
DEFAULT_DEMO_PASSWORD = "nrc26-demo-pass"
_POLICY_NAMES = {
    "speaker_opted_out": "opted_out",
    "opted_out": "opted_out",
    "no_photos": "no_photos",
    "embargoed": "embargoed",
    "open": "open",
}


def _extras() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DEMO_DIR / "extras.json").read_text("utf-8"))
    return data


def _slugify(name: str) -> str:
    return regex.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def demo_shift(first_day: date, timezone: str, today: date | None = None) -> int:
    """Days to add so that the demo's second day is today (in the conference's zone)."""
    today = today or now().astimezone(ZoneInfo(timezone)).date()
    return (today - timedelta(days=1) - first_day).days


def do_load_demo() -> str:
    extras = _extras()
    meta = extras["conference"]
    slug = meta["slug"]
    data = (DEMO_DIR / meta["programme"]).read_bytes()
    shift = {"days": 0}

    def move(record: ProgrammeRecord) -> ProgrammeRecord:
        first = min(t.day for t in record.talks)
        shift["days"] = demo_shift(first, record.timezone)
        return shift_days(record, shift["days"])

    report = do_import_programme(data, slug=slug, source="demo", transform=move)
    conference = db.session.scalars(select(Conference).where(Conference.slug == slug)).one()
    conference.title = meta["name"]
    conference.hashtag = meta["hashtag"].removeprefix("#")
    conference.description = meta.get("description")
    venue = meta.get("venue") or {}
    conference.venue = ", ".join(v for v in (venue.get("name"), venue.get("city")) if v) or None
    conference.url = meta.get("website")
    _apply_policies(conference, extras.get("session_policies", {}), shift["days"])
    _apply_track_hashtags(conference, extras.get("track_hashtags", {}))
    conference.programme_version += 1
    db.session.commit()
    created = _ensure_users(extras.get("demo_users", []))
    demo_connecting.load(conference, extras, shift["days"])  # tweetups and tweetchats
    summary = report.to_dict()["summary"]
    return (
        f"demo conference '{slug}' ready: {summary['sessions']} sessions, "
        f"{summary['speakers']} speakers, dates moved by {shift['days']} days; "
        f"{created} demo accounts created (password: see docs/demo.md)"
    )


def _apply_policies(conference: Conference, policies: dict[str, Any], days: int) -> None:
    settings = policies.get("sessions", {})
    talks = db.session.scalars(select(Talk).where(Talk.conference_id == conference.id))
    for talk in talks:
        setting = settings.get(talk.code or "")
        if not setting:
            talk.policy, talk.policy_note, talk.embargo_until = "open", None, None
            continue
        talk.policy = _POLICY_NAMES[setting["policy"]]
        talk.policy_note = setting.get("note")
        until = setting.get("embargo_until")
        talk.embargo_until = datetime.fromisoformat(until) + timedelta(days=days) if until else None


def _apply_track_hashtags(conference: Conference, hashtags: dict[str, list[str]]) -> None:
    for track in db.session.scalars(select(Track).where(Track.conference_id == conference.id)):
        tags = hashtags.get(_slugify(track.name), [])
        track.hashtags = [t.removeprefix("#") for t in tags]


def _ensure_users(users: list[dict[str, Any]]) -> int:
    password = os.environ.get(DEMO_PASSWORD_ENV, DEFAULT_DEMO_PASSWORD)
    created = 0
    for spec in users:
        existing = db.session.scalar(
            select(User).where(User.username_key == username_key(spec["username"]))
        )
        if existing is not None:
            continue
        user = accounts.do_create_user(
            spec["username"], password, spec["display_name"], role=spec.get("role", "attendee")
        )
        followers = spec.get("followers", {})
        accounts.do_update_profile(
            user,
            handles=[
                accounts.HandleInput(network, handle, int(followers.get(network, 0)))
                for network, handle in spec.get("handles", {}).items()
            ],
        )
        created += 1
    return created
