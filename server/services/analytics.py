"""Conference analytics: load compact rows, let :mod:`server.domain.analytics` count.

The definitions (what a post, a participant, an impression is) live in the domain module;
this layer selects the rows they apply to and keeps them cheap to get:

* a conference's visible posts are kept per process as compact rows (author, session,
  epoch seconds, hashtags and handles read from the text) and brought up to date from the
  conference's stream numbers, so a report re-reads only what changed since the last one
  (:func:`counted_posts`);
* reading hashtags and handles from a text costs tens of microseconds (twitter-text's
  rules), so it is memoised per text, and a post's text never changes;
* the leaderboard, polled during the congress, lets the database group posts by
  (session, author) so only a few thousand small rows come back.

Followers are read afresh for every report (people change them; nothing versions them).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from server.clock import now as clock_now
from server.domain import analytics as an
from server.domain import charts
from server.errors import NotFound, ValidationFailed
from server.extensions import db
from server.models import Conference, Post, Room, Speaker, Talk, Track, User, UserHandle
from server.services import programme

CHARTS = an.CHARTS
Table = Literal["posts_by_hour", "sessions", "hashtags", "contributors"]

#: Distinct post texts whose entities are kept (a congress week is ~40,000 posts).
ENTITY_CACHE_SIZE: Final = 250_000

text_entities = lru_cache(maxsize=ENTITY_CACHE_SIZE)(an.text_entities)


class epoch_seconds(FunctionElement[int]):  # noqa: N801 - SQL function style
    """Whole seconds since 1970 of a naive-UTC timestamp column, computed by the database
    (cheaper than building a datetime per row in Python)."""

    type = Integer()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite rounds fractions to milliseconds (…:59.9996 would become the next second, even
    # the next hour), so cut the stored "YYYY-MM-DD HH:MM:SS.ffffff" to whole seconds first.
    column = compiler.process(element.clauses, **kw)
    return f"CAST(strftime('%s', substr({column}, 1, 19)) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class Filters:
    """The slice of a conference's posts to count; all optional, combined with AND."""

    day: date | None = None
    talk_id: int | None = None
    track: str | None = None

    def as_dict(self, track: Track | None) -> dict[str, Any]:
        return {
            "day": self.day.isoformat() if self.day else None,
            "session_id": self.talk_id,
            "track": track.name if track else None,
        }


@dataclass
class Dataset:
    """Everything one report needs, loaded once."""

    conference: Conference
    filters: Filters
    track: Track | None
    tz: ZoneInfo
    talks: dict[int, an.TalkRecord]
    track_names: dict[int, str]
    people: an.Audience
    speakers: dict[int, an.SpeakerRecord]
    result: an.Analytics


# ------------------------------------------------------------------------------------------
# Loading


def _track_for(conference: Conference, value: str) -> Track:
    """A track of the conference by id or by name (case-insensitive), as the listings take."""
    query = select(Track).where(Track.conference_id == conference.id)
    if value.isascii() and value.isdigit() and programme.valid_id(int(value)):
        query = query.where(Track.id == int(value))
    else:
        query = query.where(func.lower(Track.name) == value.casefold())
    track = db.session.scalars(query.limit(1)).first()
    if track is None:
        raise NotFound(f"There is no track {value!r} in this conference.", field="track")
    return track


def _check_talk(conference: Conference, talk_id: int) -> None:
    talk = db.session.get(Talk, talk_id) if programme.valid_id(talk_id) else None
    if talk is None or talk.conference_id != conference.id:
        raise NotFound(f"There is no session {talk_id} in this conference.", field="session_id")


# ------------------------------------------------------------------------------------------
# The counted posts, kept between requests


@dataclass(frozen=True)
class _Snapshot:
    """A conference's visible posts as analytics reads them, as of stream position ``seq``."""

    seq: int
    rows: dict[int, an.PostRow]  # post id -> (author, session, created, entities)


#: Per process, the last few conferences asked about: (conference id, created_at) -> rows.
_SNAPSHOTS: OrderedDict[tuple[int, datetime], _Snapshot] = OrderedDict()
SNAPSHOT_CONFERENCES: Final = 4


def _post_columns() -> tuple[Any, ...]:
    return (Post.id, Post.author_id, Post.talk_id, epoch_seconds(Post.created_at), Post.text)


def _read_all(conference: Conference) -> dict[int, an.PostRow]:
    rows = db.session.execute(
        select(*_post_columns()).where(
            Post.conference_id == conference.id, Post.status == an.COUNTED_STATUS
        )
    )
    return {
        post_id: (author_id, talk_id, created, text_entities(text))
        for post_id, author_id, talk_id, created, text in rows
    }


def counted_posts(conference: Conference) -> Iterable[an.PostRow]:
    """The conference's visible posts (the only ones that count), cheaply kept up to date.

    Every change to the visible set takes the conference's next stream number (a post
    published gets ``seq``, a removal ``removed_seq``; the live wall's catch-up rests on
    the same rule), so after the first read only posts numbered since are read again. A
    count of visible posts guards the rest (a post deleted outright, with its account):
    when it disagrees, everything is read afresh. Each snapshot is replaced, never changed
    in place, so concurrent requests never see half an update.
    """
    key = (conference.id, conference.created_at)
    seq = conference.post_seq
    snapshot = _SNAPSHOTS.get(key)
    if snapshot is None:
        snapshot = _Snapshot(seq, _read_all(conference))
    elif snapshot.seq != seq:
        rows = dict(snapshot.rows)
        changed = db.session.execute(
            select(Post.status, *_post_columns()).where(
                Post.conference_id == conference.id,
                or_(Post.seq > snapshot.seq, Post.removed_seq > snapshot.seq),
            )
        )
        for status, post_id, author_id, talk_id, created, text in changed:
            if status == an.COUNTED_STATUS:
                rows[post_id] = (author_id, talk_id, created, text_entities(text))
            else:
                rows.pop(post_id, None)
        snapshot = _Snapshot(seq, rows)
    visible = db.session.scalar(
        select(func.count()).where(
            Post.conference_id == conference.id, Post.status == an.COUNTED_STATUS
        )
    )
    if visible != len(snapshot.rows):
        snapshot = _Snapshot(seq, _read_all(conference))
    _SNAPSHOTS[key] = snapshot
    _SNAPSHOTS.move_to_end(key)
    while len(_SNAPSHOTS) > SNAPSHOT_CONFERENCES:
        _SNAPSHOTS.popitem(last=False)
    return snapshot.rows.values()


def _filtered(
    rows: Iterable[an.PostRow], conference: Conference, filters: Filters, track: Track | None
) -> Iterable[an.PostRow]:
    """The filters' slice: a local day, a session, a track's sessions (AND)."""
    if filters.day is not None:
        start, end = programme.day_bounds(conference, filters.day)
        low, high = int(start.timestamp()), int(end.timestamp())
        rows = [row for row in rows if low <= row[2] < high]
    if filters.talk_id is not None:
        rows = [row for row in rows if row[1] == filters.talk_id]
    if track is not None:
        talk_ids = set(
            db.session.scalars(
                select(Talk.id).where(
                    Talk.conference_id == conference.id, Talk.track_id == track.id
                )
            )
        )
        rows = [row for row in rows if row[1] in talk_ids]
    return rows


def _talks(
    conference: Conference, extra: Iterable[ColumnElement[bool]] = ()
) -> dict[int, an.TalkRecord]:
    query = (
        select(
            Talk.id,
            Talk.title,
            Talk.code,
            Talk.tag,
            Talk.track_id,
            Talk.start_at,
            Talk.end_at,
            Talk.day,
            Room.name,
            Talk.status,
        )
        .outerjoin(Room, Room.id == Talk.room_id)
        .where(Talk.conference_id == conference.id, *extra)
    )
    return {
        row[0]: an.TalkRecord(
            id=row[0],
            title=row[1],
            code=row[2],
            tag=row[3],
            track_id=row[4],
            start_at=row[5],
            end_at=row[6],
            day=row[7],
            room=row[8],
            status=row[9],
        )
        for row in db.session.execute(query)
    }


#: Ids bound per ``IN (...)``: well under SQLite's and PostgreSQL's parameter limits.
ID_CHUNK: Final = 5_000


def _chunks(ids: Collection[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), ID_CHUNK):
        yield ordered[start : start + ID_CHUNK]


def _audience(author_ids: Collection[int]) -> an.Audience:
    """Reach and listing of these authors: one narrow row per stated handle."""
    rows: list[tuple[int, str, int]] = []
    for chunk in _chunks(author_ids):
        query = select(UserHandle.user_id, UserHandle.handle, UserHandle.followers).where(
            UserHandle.user_id.in_(chunk)
        )
        rows.extend((user, handle, count) for user, handle, count in db.session.execute(query))
    return an.audience(rows)


@dataclass(frozen=True)
class Person:
    """How a contributor is shown: names and handles."""

    username: str
    display_name: str
    handles: dict[str, str]


def _people(ids: list[int]) -> dict[int, Person]:
    """Names and handles of a few authors (the top lists), in chunks of bound ids."""
    people: dict[int, Person] = {}
    for chunk in _chunks(ids):
        for user_id, username, display_name in db.session.execute(
            select(User.id, User.username, User.display_name).where(User.id.in_(chunk))
        ):
            people[user_id] = Person(username, display_name, {})
        for user_id, network, handle in db.session.execute(
            select(UserHandle.user_id, UserHandle.network, UserHandle.handle).where(
                UserHandle.user_id.in_(chunk)
            )
        ):
            if handle:
                people[user_id].handles[network] = handle
    return people


def _speakers(conference: Conference) -> dict[int, an.SpeakerRecord]:
    rows = db.session.execute(
        select(Speaker.id, Speaker.name, Speaker.file_handles, Speaker.handle_overrides).where(
            Speaker.conference_id == conference.id
        )
    )
    speakers: dict[int, an.SpeakerRecord] = {}
    for speaker_id, name, from_file, overrides in rows:
        merged = {**(from_file or {}), **(overrides or {})}
        handles = {network: str(h) for network, h in merged.items() if h}
        speakers[speaker_id] = an.SpeakerRecord(speaker_id, name, handles)
    return speakers


def _track_names(conference: Conference) -> dict[int, str]:
    rows = db.session.execute(
        select(Track.id, Track.name).where(Track.conference_id == conference.id)
    )
    return {row.id: row.name for row in rows}


def load(conference: Conference, filters: Filters) -> Dataset:
    """Check the filters, load the rows and count them."""
    if filters.day is not None and not programme.MIN_YEAR <= filters.day.year <= programme.MAX_YEAR:
        raise ValidationFailed(
            f"'day' must fall between the years {programme.MIN_YEAR} and {programme.MAX_YEAR}.",
            code="invalid_date",
            field="day",
        )
    track = _track_for(conference, filters.track) if filters.track else None
    if filters.talk_id is not None:
        _check_talk(conference, filters.talk_id)
    tz = _zone(conference.timezone)
    talks = _talks(conference)
    track_names = _track_names(conference)
    speakers = _speakers(conference)
    rows = _filtered(counted_posts(conference), conference, filters, track)
    people = _audience({row[0] for row in rows})
    result = an.analyse(
        rows,
        reach_of=people.reach_of,
        talks=talks,
        tz=tz,
        mentions=an.mention_index(speakers.values()),
    )
    return Dataset(conference, filters, track, tz, talks, track_names, people, speakers, result)


# ------------------------------------------------------------------------------------------
# Wire shapes


def _figures(tally: an.Tally) -> dict[str, int]:
    return tally.figures()


def _talk_row(talk: an.TalkRecord, data: Dataset) -> dict[str, Any]:
    return {
        "id": talk.id,
        "code": talk.code,
        "title": talk.title,
        "track": data.track_names.get(talk.track_id) if talk.track_id else None,
        "room": talk.room,
        "start_at": talk.start_at.astimezone(data.tz).isoformat(),
        "end_at": talk.end_at.astimezone(data.tz).isoformat(),
    }


def hour_rows(data: Dataset) -> list[dict[str, Any]]:
    return [
        {"hour": hour.isoformat(), "day": hour.date().isoformat(), **_figures(tally)}
        for hour, tally in an.hour_series(data.result.by_hour, data.tz)
    ]


def session_rows(data: Dataset) -> list[dict[str, Any]]:
    return [
        {**_talk_row(talk, data), **_figures(tally)}
        for talk, tally in an.ranked_sessions(data.result, data.talks)
    ]


def hashtag_rows(data: Dataset, limit: int | None) -> list[dict[str, Any]]:
    rows = an.ranked_hashtags(data.result)
    return [
        {"hashtag": label, "key": key, **_figures(tally)}
        for key, label, tally in (rows if limit is None else rows[:limit])
    ]


def contributor_rows(data: Dataset, by: an.Ranking, limit: int | None) -> list[dict[str, Any]]:
    ranked = an.top_contributors(data.result.author_posts, data.people, by=by, limit=limit)
    people = _people([row.author_id for row in ranked])
    return [
        {
            "id": row.author_id,
            "username": people[row.author_id].username,
            "display_name": people[row.author_id].display_name,
            "handles": dict(sorted(people[row.author_id].handles.items())),
            "followers": row.reach,
            "posts": row.posts,
            "impressions": row.impressions,
        }
        for row in ranked
    ]


def speaker_rows(data: Dataset, limit: int | None) -> list[dict[str, Any]]:
    return [
        {
            "id": speaker.id,
            "name": speaker.name,
            "handles": {
                n: h for n, h in sorted(speaker.handles.items()) if n in an.MENTION_NETWORKS
            },
            **_figures(tally),
            "by_network": networks,
        }
        for speaker, tally, networks in an.top_speakers(data.result, data.speakers, limit)
    ]


def report(conference: Conference, filters: Filters, *, limit: int) -> dict[str, Any]:
    """The analytics document: summary and every breakdown (top lists cut to ``limit``)."""
    data = load(conference, filters)
    result = data.result
    return {
        "conference": {
            "slug": conference.slug,
            "title": conference.title,
            "hashtag": conference.hashtag,
            "timezone": conference.timezone,
        },
        "filters": filters.as_dict(data.track),
        "generated_at": clock_now().isoformat(),
        "summary": {
            **_figures(result.total),
            "sessions_with_posts": len(result.by_session),
            "posts_outside_sessions": result.outside_sessions.posts,
            "hashtags": len(result.by_hashtag),
            "first_post_at": result.first_post_at.astimezone(data.tz).isoformat()
            if result.first_post_at
            else None,
            "last_post_at": result.last_post_at.astimezone(data.tz).isoformat()
            if result.last_post_at
            else None,
        },
        "by_day": [
            {"day": day.isoformat(), **_figures(tally)}
            for day, tally in an.day_series(result.by_day)
        ],
        "by_hour": hour_rows(data),
        "sessions": session_rows(data),
        "outside_sessions": _figures(result.outside_sessions),
        "tracks": [
            {"id": track_id, "name": name, "sessions": _sessions_in_track(data, track_id),
             **_figures(tally)}
            for track_id, name, tally in an.ranked_tracks(result, data.track_names)
        ],
        "hashtags": hashtag_rows(data, limit),
        "top_contributors": {
            "by_posts": contributor_rows(data, "posts", limit),
            "by_impressions": contributor_rows(data, "impressions", limit),
        },
        "speakers": speaker_rows(data, limit),
    }


def _sessions_in_track(data: Dataset, track_id: int) -> int:
    """Sessions of the track with at least one counted post."""
    return sum(1 for talk_id in data.result.by_session if data.talks[talk_id].track_id == track_id)


# ------------------------------------------------------------------------------------------
# Leaderboard


def leaderboard(conference: Conference, at: str, *, limit: int) -> dict[str, Any]:
    """Sessions running at ``at`` and today's sessions, by visible posts up to ``at``."""
    when = programme.resolve_instant(conference, at)
    tz = _zone(conference.timezone)
    day = when.astimezone(tz).date()
    talks = _talks(
        conference,
        [
            (Talk.day == day) | ((Talk.start_at <= when) & (Talk.end_at > when)),
        ],
    )
    where = [
        Post.conference_id == conference.id,
        Post.status == an.COUNTED_STATUS,
        Post.created_at <= when,
        Post.talk_id.in_(list(talks) or [0]),
    ]
    counts = [
        (talk_id, author_id, int(n))
        for talk_id, author_id, n in db.session.execute(
            select(Post.talk_id, Post.author_id, func.count())
            .where(*where)
            .group_by(Post.talk_id, Post.author_id)
        )
        if talk_id is not None
    ]
    reach_of = _audience({author_id for _, author_id, _ in counts}).reach_of
    board = an.leaderboard(talks.values(), counts, reach_of=reach_of, at=when, tz=tz, limit=limit)
    track_names = _track_names(conference)

    def row(item: an.BoardRow) -> dict[str, Any]:
        talk = item.talk
        return {
            "id": talk.id,
            "code": talk.code,
            "title": talk.title,
            "track": track_names.get(talk.track_id) if talk.track_id else None,
            "room": talk.room,
            "start_at": talk.start_at.astimezone(tz).isoformat(),
            "end_at": talk.end_at.astimezone(tz).isoformat(),
            **item.tally.figures(),
        }

    return {
        "at": when.astimezone(tz).isoformat(),
        "day": board.day.isoformat(),
        "now": [row(item) for item in board.now],
        "today": [row(item) for item in board.today],
    }


# ------------------------------------------------------------------------------------------
# CSV and charts


def export_csv(conference: Conference, filters: Filters, table: Table) -> str:
    """One table as CSV (every row, not just the top ones), formula cells escaped."""
    data = load(conference, filters)
    figures = ("posts", "participants", "impressions")
    if table == "posts_by_hour":
        rows: list[dict[str, Any]] = hour_rows(data)
        header: tuple[str, ...] = ("hour", "day", *figures)
    elif table == "sessions":
        rows = session_rows(data)
        header = ("id", "code", "title", "track", "room", "start_at", "end_at", *figures)
    elif table == "hashtags":
        rows = hashtag_rows(data, None)
        header = ("hashtag", *figures)
    else:
        rows = [
            {**row, "handles": an.handles_label(row["handles"])}
            for row in contributor_rows(data, "posts", None)
        ]
        header = ("username", "display_name", "handles", "followers", "posts", "impressions")
    return an.csv_document(header, ([row[name] for name in header] for row in rows))


def chart_svg(conference: Conference, filters: Filters, name: str, *, limit: int) -> str:
    """One of :data:`CHARTS` as an SVG document."""
    if name not in CHARTS:
        raise NotFound(f"There is no chart {name!r}; try one of {', '.join(CHARTS)}.")
    data = load(conference, filters)
    scope = _scope(conference, data)
    if name == "posts_per_hour":
        series = an.hour_series(data.result.by_hour, data.tz)
        bars = [
            charts.Bar(
                hour.strftime("%a %d %b %H:%M"),
                tally.posts,
                hour.strftime("%a %d %b") if hour.hour == 0 or index == 0 else None,
            )
            for index, (hour, tally) in enumerate(series)
        ]
        busiest = max(series, key=lambda item: item[1].posts) if series else None
        description = (
            f"{data.result.total.posts:,} posts over {len(series)} hours "
            f"({conference.timezone} time)"
            + (
                f"; the busiest hour was {busiest[0].strftime('%a %d %b %H:%M')} "
                f"with {busiest[1].posts:,} posts."
                if busiest
                else "."
            )
        )
        return charts.column_chart(f"Posts per hour, {scope}", description, bars)
    if name == "top_hashtags":
        tags = hashtag_rows(data, limit)
        return charts.bar_chart(
            f"Top hashtags, {scope}",
            _ranking_text("hashtags", [(t["hashtag"], t["posts"]) for t in tags]),
            [charts.Bar(t["hashtag"], t["posts"]) for t in tags],
        )
    ranked = [
        (f"{s['code']} {s['title']}" if s["code"] else s["title"], int(s["posts"]))
        for s in session_rows(data)[:limit]
    ]
    return charts.bar_chart(
        f"Sessions with the most posts, {scope}",
        _ranking_text("sessions", ranked),
        [charts.Bar(label, posts) for label, posts in ranked],
    )


def _scope(conference: Conference, data: Dataset) -> str:
    parts = [f"#{conference.hashtag}" if conference.hashtag else conference.title]
    if data.filters.day:
        parts.append(data.filters.day.isoformat())
    if data.track:
        parts.append(data.track.name)
    if data.filters.talk_id is not None:
        talk = data.talks.get(data.filters.talk_id)
        parts.append(talk.code or talk.title if talk else str(data.filters.talk_id))
    return " \u00b7 ".join(parts)


def _ranking_text(kind: str, items: list[tuple[str, int]]) -> str:
    if not items:
        return f"No {kind} with posts yet."
    listed = "; ".join(f"{label}: {count:,} posts" for label, count in items)
    return f"Top {len(items)} {kind} by posts: {listed}."


def warm_up() -> int:
    """Read the most recent conferences' posts once at start-up, so the first report a
    person asks for after a restart is as quick as the later ones (the first read of a
    congress week parses every post's hashtags: about a second)."""
    conferences = db.session.scalars(
        select(Conference).order_by(Conference.id.desc()).limit(SNAPSHOT_CONFERENCES)
    ).all()
    for conference in conferences:
        counted_posts(conference)
    return len(conferences)
