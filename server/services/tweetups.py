"""Tweetups: proposals, organizer curation, RSVPs with a waitlist, suggested times.

RSVP changes take the tweetup's row lock first (bumping ``rsvp_version``), then count: two
people taking the last place at once cannot both get it, and a place freed by someone who
drops out goes to the first person on the waitlist in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from server.clock import now
from server.domain.connecting import Gap, programme_gaps
from server.domain.text import normalize_hashtag
from server.errors import Conflict, Forbidden, ValidationFailed
from server.extensions import db
from server.models import Conference, Talk, Tweetup, TweetupRsvp, User
from server.services.connecting import ORGANIZER_ROLES, can_see_hidden, visible_tweetup
from server.services.events import queue_event
from server.services.programme import get_talk

MAX_LENGTH = timedelta(hours=12)
MAX_CAPACITY = 100_000
#: Suggested tweetup times: from breakfast to the end of the evening, local time.
DAY_START = time(7, 0)
EVENING_END = time(22, 0)
CHOICES = ("going", "maybe", "not_going")


def tweetup_room(tweetup_id: int) -> str:
    return f"tweetup:{tweetup_id}"


def person_wire(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "handles": {h.network: h.handle for h in user.handles},
    }


def _local(conference: Conference, when: datetime) -> str:
    return when.astimezone(ZoneInfo(conference.timezone)).isoformat()


def counts(tweetup_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """RSVP counts per tweetup (going, maybe, waitlisted)."""
    result = {tid: {"going": 0, "maybe": 0, "waitlisted": 0} for tid in tweetup_ids}
    if not tweetup_ids:
        return result
    rows = db.session.execute(
        select(TweetupRsvp.tweetup_id, TweetupRsvp.status, func.count())
        .where(TweetupRsvp.tweetup_id.in_(tweetup_ids), TweetupRsvp.status != "not_going")
        .group_by(TweetupRsvp.tweetup_id, TweetupRsvp.status)
    )
    for tid, status, n in rows:
        result[tid][status] = int(n)
    return result


def my_rsvps(user: User | None, tweetup_ids: Sequence[int]) -> dict[int, str]:
    if user is None or not tweetup_ids:
        return {}
    rows = db.session.execute(
        select(TweetupRsvp.tweetup_id, TweetupRsvp.status).where(
            TweetupRsvp.user_id == user.id, TweetupRsvp.tweetup_id.in_(tweetup_ids)
        )
    )
    return {int(tid): str(status) for tid, status in rows}


def wire(
    tweetup: Tweetup,
    conference: Conference,
    *,
    tally: dict[str, int],
    mine: str | None,
    public_url: str = "",
) -> dict[str, Any]:
    spots = None if tweetup.capacity is None else max(0, tweetup.capacity - tally["going"])
    return {
        "id": tweetup.id,
        "conference": conference.slug,
        "title": tweetup.title,
        "description": tweetup.description,
        "start": _local(conference, tweetup.start_at),
        "end": _local(conference, tweetup.end_at),
        "place": tweetup.place,
        "hashtag": tweetup.hashtag,
        "capacity": tweetup.capacity,
        "spots_left": spots,
        "featured": tweetup.featured,
        "hidden": tweetup.hidden,
        "cancelled": tweetup.cancelled,
        "session_id": tweetup.talk_id,
        "proposer": person_wire(tweetup.proposer) if tweetup.proposer else None,
        "counts": tally,
        "my_rsvp": mine,
        "room": tweetup_room(tweetup.id),
        "url": f"{public_url}/tweetups/{tweetup.id}",
    }


def wires(
    tweetups: Sequence[Tweetup], user: User | None, public_url: str
) -> list[dict[str, Any]]:
    ids = [t.id for t in tweetups]
    tallies = counts(ids)
    mine = my_rsvps(user, ids)
    conferences: dict[int, Conference] = {}
    out = []
    for t in tweetups:
        conference = conferences.get(t.conference_id) or db.session.get_one(
            Conference, t.conference_id
        )
        conferences[t.conference_id] = conference
        out.append(
            wire(t, conference, tally=tallies[t.id], mine=mine.get(t.id), public_url=public_url)
        )
    return out


def list_tweetups(
    conference: Conference, user: User | None, *, include_past: bool = True
) -> list[Tweetup]:
    """The conference's tweetups by start; hidden ones only for organizers (and proposers)."""
    query = select(Tweetup).where(Tweetup.conference_id == conference.id)
    if not include_past:
        query = query.where(Tweetup.end_at > now())
    items = db.session.scalars(query.order_by(Tweetup.start_at, Tweetup.id))
    return [t for t in items if not t.hidden or can_see_hidden(user, t)]


@dataclass(frozen=True)
class TweetupInput:
    title: str
    start: datetime
    end: datetime
    place: str
    description: str | None = None
    hashtag: str | None = None
    capacity: int | None = None
    session_id: int | None = None


def _check_times(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValidationFailed("A tweetup ends after it starts.", code="invalid_times", field="end")
    if end - start > MAX_LENGTH:
        raise ValidationFailed(
            "A tweetup lasts at most 12 hours.", code="invalid_times", field="end"
        )


def _check_hashtag(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    tag = normalize_hashtag(value)
    if tag is None:
        raise ValidationFailed(
            f"{value!r} is not one hashtag (letters, digits and _ only).",
            code="invalid_hashtag",
            field="hashtag",
        )
    return tag[1:]


def _check_session(conference: Conference, session_id: int | None) -> int | None:
    if session_id is None:
        return None
    talk = get_talk(session_id)
    if talk.conference_id != conference.id:
        raise ValidationFailed(
            f"There is no session {session_id} in this conference.", field="session_id"
        )
    return talk.id


def do_propose(user: User, conference: Conference, data: TweetupInput) -> Tweetup:
    """Anyone signed in proposes a tweetup; the proposer is going."""
    _check_times(data.start, data.end)
    tweetup = Tweetup(
        conference_id=conference.id,
        proposer_id=user.id,
        title=data.title.strip(),
        description=(data.description or "").strip() or None,
        start_at=data.start,
        end_at=data.end,
        place=data.place.strip(),
        hashtag=_check_hashtag(data.hashtag),
        capacity=data.capacity,
        talk_id=_check_session(conference, data.session_id),
        created_at=now(),
        updated_at=now(),
    )
    if not tweetup.title or not tweetup.place:
        raise ValidationFailed("Give the tweetup a title and a place.", field="title")
    db.session.add(tweetup)
    db.session.flush()
    db.session.add(
        TweetupRsvp(
            tweetup_id=tweetup.id,
            user_id=user.id,
            status="going",
            requested_at=now(),
            updated_at=now(),
        )
    )
    db.session.commit()
    return tweetup


def _can_edit(user: User, tweetup: Tweetup) -> bool:
    return user.role in ORGANIZER_ROLES or tweetup.proposer_id == user.id


def do_update(user: User, tweetup: Tweetup, changes: dict[str, Any]) -> Tweetup:
    """The proposer (or an organizer) edits or cancels; only organizers feature or hide."""
    if ("featured" in changes or "hidden" in changes) and user.role not in ORGANIZER_ROLES:
        raise Forbidden("Only the conference's organizers feature or hide tweetups.")
    if not _can_edit(user, tweetup):
        raise Forbidden("Only the person who proposed this tweetup (or an organizer) edits it.")
    start = changes.get("start", tweetup.start_at)
    end = changes.get("end", tweetup.end_at)
    _check_times(start, end)
    conference = db.session.get_one(Conference, tweetup.conference_id)
    tweetup_id = tweetup.id
    db.session.commit()  # the write below starts fresh, with the row lock first
    _lock(tweetup_id)
    tweetup = db.session.get_one(Tweetup, tweetup_id)
    for name in ("title", "place"):
        if name in changes:
            value = str(changes[name]).strip()
            if not value:
                raise ValidationFailed(f"The {name} may not be empty.", field=name)
            setattr(tweetup, name, value)
    if "description" in changes:
        tweetup.description = (changes["description"] or "").strip() or None
    if "hashtag" in changes:
        tweetup.hashtag = _check_hashtag(changes["hashtag"])
    if "capacity" in changes:
        tweetup.capacity = changes["capacity"]
    if "session_id" in changes:
        tweetup.talk_id = _check_session(conference, changes["session_id"])
    for name in ("featured", "hidden", "cancelled"):
        if name in changes:
            setattr(tweetup, name, bool(changes[name]))
    tweetup.start_at, tweetup.end_at = start, end
    tweetup.revision += 1
    tweetup.updated_at = now()
    promoted = _promote(tweetup)
    _announce(tweetup, promoted)
    db.session.commit()
    return tweetup


def _lock(tweetup_id: int) -> int:
    """Take the tweetup's row lock; returns its new ``rsvp_version`` (a queue position)."""
    return int(
        db.session.execute(
            update(Tweetup)
            .where(Tweetup.id == tweetup_id)
            .values(rsvp_version=Tweetup.rsvp_version + 1)
            .returning(Tweetup.rsvp_version)
        ).scalar_one()
    )


def _going(tweetup_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count()).where(
                TweetupRsvp.tweetup_id == tweetup_id, TweetupRsvp.status == "going"
            )
        )
        or 0
    )


def _promote(tweetup: Tweetup) -> list[int]:
    """Move people from the waitlist to going, in order, while there is room."""
    if tweetup.cancelled:
        return []
    waiting = list(
        db.session.scalars(
            select(TweetupRsvp)
            .where(TweetupRsvp.tweetup_id == tweetup.id, TweetupRsvp.status == "waitlisted")
            .order_by(TweetupRsvp.position, TweetupRsvp.id)
        )
    )
    room = len(waiting) if tweetup.capacity is None else tweetup.capacity - _going(tweetup.id)
    promoted = []
    for rsvp in waiting[: max(0, room)]:
        rsvp.status = "going"
        rsvp.updated_at = now()
        promoted.append(rsvp.user_id)
    db.session.flush()
    return promoted


def _announce(tweetup: Tweetup, promoted: list[int]) -> None:
    room = tweetup_room(tweetup.id)
    db.session.flush()
    tally = counts([tweetup.id])[tweetup.id]
    queue_event("rsvps", {"room": room, "tweetup_id": tweetup.id, **tally}, [room])
    for user_id in promoted:
        queue_event(
            "waitlist_promoted",
            {"tweetup_id": tweetup.id, "title": tweetup.title},
            [f"user:{user_id}"],
        )


def do_rsvp(user: User, tweetup_id: int, choice: str) -> TweetupRsvp:
    """Going, maybe or not going. "Going" past the capacity joins the waitlist (keeping one's
    place when asked again); a seat given up goes to the first person waiting."""
    if choice not in CHOICES:
        raise ValidationFailed(f"Choose one of {', '.join(CHOICES)}.", field="status")
    tweetup = visible_tweetup(tweetup_id, user)
    if tweetup.cancelled:
        raise Conflict("This tweetup was cancelled.", code="tweetup_cancelled")
    if tweetup.end_at <= now():
        raise Conflict("This tweetup is over.", code="tweetup_over")
    db.session.commit()
    position = _lock(tweetup.id)
    tweetup = db.session.get_one(Tweetup, tweetup.id)
    rsvp = db.session.scalar(
        select(TweetupRsvp).where(
            TweetupRsvp.tweetup_id == tweetup.id, TweetupRsvp.user_id == user.id
        )
    )
    previous = rsvp.status if rsvp else None
    status = choice
    if choice == "going" and previous not in ("going", "waitlisted"):
        full = tweetup.capacity is not None and _going(tweetup.id) >= tweetup.capacity
        status = "waitlisted" if full else "going"
    elif choice == "going":
        status = previous or "going"
    if rsvp is None:
        rsvp = TweetupRsvp(
            tweetup_id=tweetup.id,
            user_id=user.id,
            status=status,
            requested_at=now(),
            position=position,
        )
        db.session.add(rsvp)
    elif previous != status:
        if status in ("going", "waitlisted") and previous not in ("going", "waitlisted"):
            rsvp.requested_at = now()  # the back of the queue
            rsvp.position = position
        rsvp.status = status
    rsvp.updated_at = now()
    db.session.flush()
    promoted = _promote(tweetup) if previous == "going" and status != "going" else []
    _announce(tweetup, promoted)
    db.session.commit()
    return rsvp


def do_withdraw(user: User, tweetup_id: int) -> None:
    """Remove my RSVP altogether (idempotent)."""
    tweetup = visible_tweetup(tweetup_id, user)
    db.session.commit()
    _lock(tweetup.id)
    rsvp = db.session.scalar(
        select(TweetupRsvp).where(
            TweetupRsvp.tweetup_id == tweetup.id, TweetupRsvp.user_id == user.id
        )
    )
    if rsvp is None:
        db.session.commit()
        return
    _withdraw(rsvp)
    db.session.commit()


def _withdraw(rsvp: TweetupRsvp) -> None:
    """Drop an RSVP (the tweetup's row locked by the caller): a seat given up goes to the
    first person on the waitlist, and the room hears of it."""
    was_going = rsvp.status == "going"
    db.session.delete(rsvp)
    db.session.flush()
    tweetup = db.session.get_one(Tweetup, rsvp.tweetup_id)
    _announce(tweetup, _promote(tweetup) if was_going and tweetup.end_at > now() else [])


def release_account(user_id: int) -> list[int]:
    """An account being erased, inside the caller's transaction (it commits).

    Its RSVPs go as if withdrawn one by one (a seat it gave up goes to the first person on
    the waitlist, announced as usual); the tweetups it proposed lose their proposer, and
    those not over yet are cancelled (nobody is left to host them). Returns the ids of
    the tweetups cancelled.
    """
    # Its own tweetups are cancelled first, so that nobody on their waitlists is told of a
    # seat in a tweetup that is cancelled a moment later.
    cancelled = []
    proposed = db.session.scalars(
        select(Tweetup).where(Tweetup.proposer_id == user_id).order_by(Tweetup.id)
    )
    for tweetup in proposed:
        _lock(tweetup.id)
        if not tweetup.cancelled and tweetup.end_at > now():
            tweetup.cancelled = True
            tweetup.revision += 1
            tweetup.updated_at = now()
            cancelled.append(tweetup.id)
            _announce(tweetup, [])
        tweetup.proposer_id = None
    db.session.flush()
    rsvps = list(
        db.session.scalars(
            select(TweetupRsvp)
            .where(TweetupRsvp.user_id == user_id)
            .order_by(TweetupRsvp.tweetup_id)
        )
    )
    for rsvp in rsvps:
        _lock(rsvp.tweetup_id)
        _withdraw(rsvp)
    db.session.flush()
    return cancelled


def attendees(tweetup: Tweetup) -> dict[str, list[dict[str, Any]]]:
    """Who is coming, by their handles: going and maybe by name, the waitlist in order."""
    rows = db.session.scalars(
        select(TweetupRsvp)
        .where(TweetupRsvp.tweetup_id == tweetup.id, TweetupRsvp.status != "not_going")
        .order_by(TweetupRsvp.position, TweetupRsvp.id)
    )
    out: dict[str, list[dict[str, Any]]] = {"going": [], "maybe": [], "waitlist": []}
    for rsvp in rows:
        key = "waitlist" if rsvp.status == "waitlisted" else rsvp.status
        out[key].append(person_wire(rsvp.user))
    for key in ("going", "maybe"):
        out[key].sort(key=lambda p: str(p["username"]).casefold())
    return out


def my_tweetups(user: User, conference_id: int | None = None) -> list[tuple[Tweetup, str]]:
    """Tweetups I am going to, might go to or wait for, with my status, by start."""
    query = (
        select(Tweetup, TweetupRsvp.status)
        .join(TweetupRsvp, TweetupRsvp.tweetup_id == Tweetup.id)
        .where(TweetupRsvp.user_id == user.id, TweetupRsvp.status != "not_going")
        .order_by(Tweetup.start_at, Tweetup.id)
    )
    if conference_id is not None:
        query = query.where(Tweetup.conference_id == conference_id)
    return [
        (t, status)
        for t, status in db.session.execute(query)
        if not t.hidden or can_see_hidden(user, t)
    ]


def calendar_entries(user: User) -> list[tuple[Tweetup, Conference, str]]:
    """My tweetups for the iCalendar feed: (tweetup, its conference, my RSVP)."""
    return [
        (t, db.session.get_one(Conference, t.conference_id), status)
        for t, status in my_tweetups(user)
    ]


def suggested_times(
    conference: Conference, *, day: date | None, min_minutes: int
) -> list[tuple[date, Gap]]:
    """Gaps in each day's programme (breaks, mornings, evenings) long enough to meet in."""
    tz = ZoneInfo(conference.timezone)
    query = select(Talk.day, Talk.start_at, Talk.end_at).where(
        Talk.conference_id == conference.id, Talk.status == "scheduled"
    )
    if day is not None:
        query = query.where(Talk.day == day)
    by_day: dict[date, list[tuple[datetime, datetime]]] = {}
    for talk_day, start, end in db.session.execute(query):
        by_day.setdefault(talk_day, []).append((start, end))
    out: list[tuple[date, Gap]] = []
    for talk_day in sorted(by_day):
        gaps = programme_gaps(
            by_day[talk_day],
            day_start=datetime.combine(talk_day, DAY_START, tzinfo=tz),
            day_end=datetime.combine(talk_day, EVENING_END, tzinfo=tz),
            min_length=timedelta(minutes=min_minutes),
        )
        out += [
            (talk_day, Gap(gap.start.astimezone(tz), gap.end.astimezone(tz), gap.kind))
            for gap in gaps
        ]
    return out
