"""Conference analytics over plain records, counted the way Symplur counts them.

Organizers quote these figures, so every definition lives here, once (see docs/analytics.md):

* **posts**: visible posts; a post with three hashtags is still one post.
* **participants**: distinct authors of those posts.
* **impressions**: the sum, over posts, of the author's *reach*: the largest follower count
  the author states on any one network (0 without handles). Symplur multiplies a tweet by the
  follower count of the one account that sent it; a Backchannel post is handed to one network
  at a time and we do not learn which, so the largest single audience is the closest honest
  equivalent. Summing every network would assume each post went everywhere and inflate a
  number that is already a theoretical maximum (overlapping followers count twice).
* **per day / per hour**: by the post's creation time in the conference's timezone; an hour
  bucket is named by its local start with its UTC offset, so the repeated hour of a
  daylight-saving change stays two buckets.
* **per hashtag**: hashtags as :func:`server.domain.text.extract_hashtags` finds them, keyed
  by :func:`server.domain.text.hashtag_key` (case-insensitive); a post counts once per
  distinct tag; a tag is shown in its most used spelling.
* **speaker mentions**: posts mentioning a speaker's handle in a network's mention form
  (X and Threads ``@name``, Bluesky ``@name.bsky.social``, Mastodon ``@user@instance``),
  case-insensitively; a post counts once per speaker however often it names them.

The service loads rows; nothing here knows about SQL or HTTP.
"""

from __future__ import annotations

import csv
import heapq
import io
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Final, Literal, NamedTuple

import regex

from server.domain.text.entities import (
    extract_hashtags,
    extract_hashtags_with_indices,
    hashtag_key,
)

#: The only post status that counts: pending, held, hidden and deleted posts never do.
COUNTED_STATUS: Final = "visible"

#: Networks whose handles can be @-mentioned in text; LinkedIn cannot (the drafter names
#: LinkedIn speakers instead), so it has no mention form.
MENTION_NETWORKS: Final = ("x", "bluesky", "mastodon", "threads")

# An @-token as people write handles of any network: ``@name``, ``@name.bsky.social``,
# ``@user@instance.org``. Not inside a word, an e-mail address or a URL path
# (``med.social/@ada``); trailing dots and hyphens are punctuation, not handle.
_HANDLE_TOKEN = regex.compile(
    r"(?<![\w@\uff20/])[@\uff20](\w(?:[\w.\-]*\w)?(?:@\w(?:[\w.\-]*\w)?)?)"
)

Ranking = Literal["posts", "impressions"]

#: Tables the CSV export offers, and the charts drawn as SVG.
EXPORT_TABLES: Final = ("posts_by_hour", "sessions", "hashtags", "contributors")
CHARTS: Final = ("posts_per_hour", "top_hashtags", "top_sessions")


# ------------------------------------------------------------------------------------------
# Records the service hands in


@dataclass(frozen=True, slots=True)
class TextEntities:
    """What analytics reads from a post's text (depends on the text only, so cacheable).

    ``hashtags`` is ``(key, spelling)`` per distinct key, the first spelling in the text;
    ``handles`` the distinct case-folded @-tokens.
    """

    hashtags: tuple[tuple[str, str], ...] = ()
    handles: tuple[str, ...] = ()


class PostRecord(NamedTuple):
    """A counted post; plain ``(author, session, created, entities)`` tuples work too.

    ``created`` is whole seconds since 1970-01-01 UTC: the database computes it, which
    spares building 40,000 datetime objects per report.
    """

    author_id: int
    talk_id: int | None
    created: int
    entities: TextEntities = TextEntities()


@dataclass(frozen=True, slots=True)
class TalkRecord:
    id: int
    title: str
    code: str | None
    tag: str | None
    track_id: int | None
    start_at: datetime
    end_at: datetime
    day: date
    room: str | None = None
    status: str = "scheduled"


@dataclass(frozen=True, slots=True)
class SpeakerRecord:
    id: int
    name: str
    handles: Mapping[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------
# Definitions


def reach(followers: Mapping[str, int] | Iterable[int]) -> int:
    """An author's reach: the largest follower count stated on one network (0 if none)."""
    values = followers.values() if isinstance(followers, Mapping) else followers
    return max((max(0, int(v)) for v in values), default=0)


def listed(handles: Iterable[str]) -> bool:
    """Whether an author may be named in public top lists: only with a stated handle.

    People without any handle have put no public social identity forward (and reach no
    one by Symplur's measure); their posts still count in every total.
    """
    return any(handles)


@dataclass(frozen=True, slots=True)
class Audience:
    """Every author's :func:`reach`, and who of them is :func:`listed`."""

    reach_of: dict[int, int]
    listed: frozenset[int]


def audience(handles: Iterable[tuple[int, str, int]]) -> Audience:
    """From ``(user id, handle, followers)`` rows, one per stated handle: :func:`reach`
    and :func:`listed` per user, in one pass (a congress has thousands of authors)."""
    reach_of: dict[int, int] = {}
    allowed: set[int] = set()
    best = reach_of.get
    for user_id, handle, count in handles:
        if count > best(user_id, 0) or user_id not in reach_of:
            reach_of[user_id] = max(0, count)
        if handle:
            allowed.add(user_id)
    return Audience(reach_of, frozenset(allowed))


def text_entities(text: str) -> TextEntities:
    """Distinct hashtags (key, first spelling) and @-tokens of a post's text."""
    tags: dict[str, str] = {}
    if "#" in text or "\uff03" in text:
        for tag in _hashtags(text):
            tags.setdefault(hashtag_key(tag), tag)
    handles: tuple[str, ...] = ()
    if "@" in text or "\uff20" in text:
        handles = tuple(dict.fromkeys(m.casefold() for m in _HANDLE_TOKEN.findall(text)))
    return TextEntities(tuple(tags.items()), handles)


# A URL never spans a space or a line break, and always has a dot (in its host).
_URL_BREAKS = (" ", "\n")
_DOTS = (".", "\u3002", "\uff0e", "\uff61")


def _hashtags(text: str) -> list[str]:
    """Exactly :func:`extract_hashtags`, without its URL scan when no URL can hold a tag.

    twitter-text drops a hashtag that lies inside a URL, and finding URLs is most of the
    cost. A URL holding a ``#`` lies in the unbroken run of characters around it and has a
    dot, so when no hashtag is in a run with a dot the scan cannot drop anything (tests
    check this against the full function, on the conformance suite and on generated
    URL-like text).
    """
    found = extract_hashtags_with_indices(text, check_url_overlap=False)
    if found:
        for dot in _DOTS:
            at = text.find(dot)
            while at >= 0:
                begin = max(text.rfind(brk, 0, at) for brk in _URL_BREAKS) + 1
                end = min((i for brk in _URL_BREAKS if (i := text.find(brk, at)) >= 0),
                          default=len(text))
                if any(begin <= entity.start < end for entity in found):
                    return extract_hashtags(text)
                at = text.find(dot, end)
    return [entity.value for entity in found]


def mention_key(network: str, handle: str) -> str | None:
    """The case-folded token a mention of ``handle`` on ``network`` shows up as, or None.

    None for LinkedIn and for handles no one could type as an @-mention.
    """
    if network not in MENTION_NETWORKS:
        return None
    body = handle.strip().removeprefix("@").removeprefix("\uff20")
    if not body:
        return None
    match = _HANDLE_TOKEN.fullmatch("@" + body)
    return match.group(1).casefold() if match else None


MentionIndex = Mapping[str, tuple[tuple[int, str], ...]]


def mention_index(speakers: Iterable[SpeakerRecord]) -> dict[str, tuple[tuple[int, str], ...]]:
    """Token -> ((speaker id, network), ...) for every mentionable handle."""
    index: dict[str, list[tuple[int, str]]] = {}
    for speaker in speakers:
        for network, handle in sorted(speaker.handles.items()):
            key = mention_key(network, handle) if handle else None
            if key is not None:
                index.setdefault(key, []).append((speaker.id, network))
    return {key: tuple(value) for key, value in index.items()}


def local_hour(when: datetime, tz: tzinfo) -> datetime:
    """The start of the local clock hour ``when`` falls in, aware (offset kept)."""
    local = when.astimezone(tz)
    return local.replace(minute=0, second=0, microsecond=0)


# ------------------------------------------------------------------------------------------
# Counting


@dataclass(slots=True)
class Tally:
    """Posts, participants and impressions of one slice."""

    posts: int = 0
    impressions: int = 0
    authors: set[int] = field(default_factory=set)

    def add(self, author_id: int, author_reach: int) -> None:
        self.posts += 1
        self.impressions += author_reach
        self.authors.add(author_id)

    @property
    def participants(self) -> int:
        return len(self.authors)

    def figures(self) -> dict[str, int]:
        return {
            "posts": self.posts,
            "participants": self.participants,
            "impressions": self.impressions,
        }


@dataclass(slots=True)
class Analytics:
    """Every breakdown of one set of posts; build it with :func:`analyse`."""

    total: Tally = field(default_factory=Tally)
    by_day: dict[date, Tally] = field(default_factory=dict)
    #: Keyed by the UTC instant the local hour starts (local wall times repeat in autumn).
    by_hour: dict[datetime, Tally] = field(default_factory=dict)
    by_session: dict[int, Tally] = field(default_factory=dict)
    outside_sessions: Tally = field(default_factory=Tally)
    by_track: dict[int, Tally] = field(default_factory=dict)
    by_hashtag: dict[str, Tally] = field(default_factory=dict)
    spellings: dict[str, Counter[str]] = field(default_factory=dict)
    author_posts: Counter[int] = field(default_factory=Counter)
    by_speaker: dict[int, Tally] = field(default_factory=dict)
    speaker_networks: dict[int, Counter[str]] = field(default_factory=dict)
    first_post_at: datetime | None = None
    last_post_at: datetime | None = None


class _HourBuckets:
    """UTC start of the local hour of an instant, memoised per UTC quarter hour (every zone
    offset in use is a multiple of 15 minutes, so a quarter hour never spans two local
    hours)."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.memo: dict[int, datetime] = {}

    def __call__(self, seconds: int) -> datetime:
        key = seconds // 900
        hour = self.memo.get(key)
        if hour is None:
            when = datetime.fromtimestamp(key * 900, UTC)
            hour = self.memo[key] = local_hour(when, self.tz).astimezone(UTC)
        return hour


PostRow = tuple[int, int | None, int, TextEntities]
"""``(author id, session id or None, created in epoch seconds, text entities)``."""


def _tally(authors: list[int], reach_of: Mapping[int, int]) -> Tally:
    return Tally(len(authors), sum(map(reach_of.__getitem__, authors)), set(authors))


def analyse(
    posts: Iterable[PostRow],
    *,
    reach_of: Mapping[int, int],
    talks: Mapping[int, TalkRecord],
    tz: tzinfo,
    mentions: MentionIndex | None = None,
) -> Analytics:
    """Count ``posts`` (already only the visible ones) into every breakdown.

    ``reach_of`` maps author id to :func:`reach`; a missing author reaches 0. A post whose
    session is not in ``talks`` counts as outside any session. One pass files each post's
    author under every slice it belongs to; the figures are then taken per slice (count,
    distinct, sum) by C-level builtins, which is several times faster than updating
    counters post by post.
    """
    mentions = mentions or {}
    everyone: list[int] = []
    times: list[int] = []
    quarters: dict[int, list[int]] = {}  # UTC quarter hour -> authors
    by_talk: dict[int | None, list[int]] = {}
    tags: dict[str, list[int]] = {}
    spellings: list[tuple[str, str]] = []
    speakers: dict[int, list[int]] = {}
    networks: dict[int, Counter[str]] = {}
    add_author, add_time = everyone.append, times.append
    for author, talk_id, created, entities in posts:
        add_author(author)
        add_time(created)
        bucket = quarters.get(created // 900)
        if bucket is None:
            bucket = quarters[created // 900] = []
        bucket.append(author)
        bucket = by_talk.get(talk_id)
        if bucket is None:
            bucket = by_talk[talk_id] = []
        bucket.append(author)
        if entities.hashtags:
            spellings.extend(entities.hashtags)
            for key, _ in entities.hashtags:
                bucket = tags.get(key)
                if bucket is None:
                    bucket = tags[key] = []
                bucket.append(author)
        if mentions and entities.handles:
            seen: dict[int, set[str]] = {}
            for token in entities.handles:
                for speaker_id, network in mentions.get(token, ()):
                    seen.setdefault(speaker_id, set()).add(network)
            for speaker_id, found in seen.items():
                speakers.setdefault(speaker_id, []).append(author)
                counter = networks.get(speaker_id)
                if counter is None:
                    counter = networks[speaker_id] = Counter()
                for network in found:
                    counter[network] += 1

    weights = dict(reach_of)
    for author in set(everyone).difference(weights):
        weights[author] = 0
    hour_of = _HourBuckets(tz)
    hours: dict[datetime, list[int]] = {}
    for quarter, authors in quarters.items():
        hours.setdefault(hour_of(quarter * 900), []).extend(authors)
    sessions: dict[int, list[int]] = {}
    outside: list[int] = []
    for talk_id, authors in by_talk.items():
        if talk_id is not None and talk_id in talks:
            sessions[talk_id] = authors
        else:
            outside.extend(authors)
    days: dict[date, list[int]] = {}
    for hour, authors in sorted(hours.items()):
        days.setdefault(hour.astimezone(tz).date(), []).extend(authors)
    tracks: dict[int, list[int]] = {}
    for talk_id, authors in sessions.items():
        track_id = talks[talk_id].track_id
        if track_id is not None:
            tracks.setdefault(track_id, []).extend(authors)
    by_spelling: dict[str, Counter[str]] = {}
    for (key, spelling), count in Counter(spellings).items():
        by_spelling.setdefault(key, Counter())[spelling] = count
    return Analytics(
        total=_tally(everyone, weights),
        by_day={day: _tally(a, weights) for day, a in days.items()},
        by_hour={hour: _tally(a, weights) for hour, a in hours.items()},
        by_session={talk_id: _tally(a, weights) for talk_id, a in sessions.items()},
        outside_sessions=_tally(outside, weights),
        by_track={track_id: _tally(a, weights) for track_id, a in tracks.items()},
        by_hashtag={key: _tally(a, weights) for key, a in tags.items()},
        spellings=by_spelling,
        author_posts=Counter(everyone),
        by_speaker={sid: _tally(a, weights) for sid, a in speakers.items()},
        speaker_networks=networks,
        first_post_at=datetime.fromtimestamp(min(times), UTC) if times else None,
        last_post_at=datetime.fromtimestamp(max(times), UTC) if times else None,
    )


# ------------------------------------------------------------------------------------------
# Series and rankings


def hour_series(by_hour: Mapping[datetime, Tally], tz: tzinfo) -> list[tuple[datetime, Tally]]:
    """Every local hour (aware, local offset) from the first to the last one with posts,
    empty hours included; ``by_hour`` is keyed by UTC hour starts as :func:`analyse` makes."""
    if not by_hour:
        return []
    start, end = min(by_hour), max(by_hour)
    series: list[tuple[datetime, Tally]] = []
    seen: set[datetime] = set()
    cursor = start
    while cursor <= end:
        hour = local_hour(cursor, tz).astimezone(UTC)
        if hour not in seen:
            seen.add(hour)
            series.append((hour.astimezone(tz), by_hour.get(hour) or Tally()))
        cursor += timedelta(minutes=15)
    return series


def day_series(by_day: Mapping[date, Tally]) -> list[tuple[date, Tally]]:
    """Every day from the first to the last one with posts, empty days included."""
    if not by_day:
        return []
    first, last = min(by_day), max(by_day)
    return [
        (first + timedelta(days=n), by_day.get(first + timedelta(days=n)) or Tally())
        for n in range((last - first).days + 1)
    ]


def hashtag_label(spellings: Counter[str]) -> str:
    """``#`` and the most used spelling; ties go to the smallest string (stable output)."""
    best = min(spellings.items(), key=lambda item: (-item[1], item[0]))[0]
    return "#" + best


def ranked_hashtags(result: Analytics) -> list[tuple[str, str, Tally]]:
    """(key, label, tally) by posts, then participants, then key."""
    rows = [
        (key, hashtag_label(result.spellings[key]), tally)
        for key, tally in result.by_hashtag.items()
    ]
    rows.sort(key=lambda row: (-row[2].posts, -row[2].participants, row[0]))
    return rows


def ranked_sessions(
    result: Analytics, talks: Mapping[int, TalkRecord]
) -> list[tuple[TalkRecord, Tally]]:
    """Sessions with posts, by posts, then participants, then start, then id."""
    rows = [(talks[talk_id], tally) for talk_id, tally in result.by_session.items()]
    rows.sort(key=lambda row: (-row[1].posts, -row[1].participants, row[0].start_at, row[0].id))
    return rows


def ranked_tracks(
    result: Analytics, track_names: Mapping[int, str]
) -> list[tuple[int, str, Tally]]:
    """Tracks with posts, by posts, then name."""
    rows = [
        (track_id, track_names.get(track_id, ""), tally)
        for track_id, tally in result.by_track.items()
    ]
    rows.sort(key=lambda row: (-row[2].posts, row[1].casefold(), row[0]))
    return rows


@dataclass(frozen=True, slots=True)
class Contributor:
    author_id: int
    posts: int
    reach: int

    @property
    def impressions(self) -> int:
        return self.posts * self.reach


def top_contributors(
    author_posts: Mapping[int, int],
    people: Audience,
    *,
    by: Ranking,
    limit: int | None,
) -> list[Contributor]:
    """Listed authors (see :func:`listed`) ranked by posts or impressions.

    By posts: posts, then impressions, then id. By impressions: impressions, then posts,
    then id. Unlisted authors are left out of the list, not out of the counts.
    """
    reach_of, allowed = people.reach_of, people.listed
    ranked = (
        (-count * reach_of.get(author_id, 0), -count, author_id)
        if by == "impressions"
        else (-count, -count * reach_of.get(author_id, 0), author_id)
        for author_id, count in author_posts.items()
        if author_id in allowed
    )
    keys = sorted(ranked) if limit is None else heapq.nsmallest(limit, ranked)
    return [
        Contributor(author_id, author_posts[author_id], reach_of.get(author_id, 0))
        for _, _, author_id in keys
    ]


def top_speakers(
    result: Analytics, speakers: Mapping[int, SpeakerRecord], limit: int | None
) -> list[tuple[SpeakerRecord, Tally, dict[str, int]]]:
    """Mentioned speakers by posts mentioning them, then name, then id; with per-network
    counts (a token that is the same handle on two networks counts for both)."""
    rows = [
        (speakers[sid], tally, dict(sorted(result.speaker_networks[sid].items())))
        for sid, tally in result.by_speaker.items()
        if sid in speakers
    ]
    rows.sort(key=lambda row: (-row[1].posts, row[0].name.casefold(), row[0].id))
    return rows if limit is None else rows[:limit]


# ------------------------------------------------------------------------------------------
# Leaderboard


@dataclass(frozen=True, slots=True)
class BoardRow:
    talk: TalkRecord
    tally: Tally


@dataclass(frozen=True, slots=True)
class Board:
    day: date
    now: list[BoardRow]
    today: list[BoardRow]


def leaderboard(
    talks: Iterable[TalkRecord],
    counts: Iterable[tuple[int, int, int]],
    *,
    reach_of: Mapping[int, int],
    at: datetime,
    tz: tzinfo,
    limit: int,
) -> Board:
    """Sessions running at ``at`` and sessions of its local day, by posts so far.

    ``counts`` is ``(talk id, author id, posts)`` for visible posts created up to ``at``.
    ``now`` lists every session running (those without posts too, the board shows them);
    ``today`` only sessions of the programme day with at least one post. Cancelled sessions
    are left out. Both ranked by posts, then participants, then start, then id.
    """
    day = at.astimezone(tz).date()
    scheduled = {t.id: t for t in talks if t.status == "scheduled"}
    tallies: dict[int, Tally] = {}
    for talk_id, author_id, n in counts:
        if talk_id not in scheduled or n <= 0:
            continue
        tally = tallies.setdefault(talk_id, Tally())
        tally.posts += n
        tally.impressions += n * reach_of.get(author_id, 0)
        tally.authors.add(author_id)

    def order(row: BoardRow) -> tuple[int, int, datetime, int]:
        return (-row.tally.posts, -row.tally.participants, row.talk.start_at, row.talk.id)

    running = [
        BoardRow(t, tallies.get(t.id) or Tally())
        for t in scheduled.values()
        if t.start_at <= at < t.end_at
    ]
    todays = [
        BoardRow(t, tallies[t.id])
        for t in scheduled.values()
        if t.day == day and t.id in tallies
    ]
    return Board(day, sorted(running, key=order)[:limit], sorted(todays, key=order)[:limit])


# ------------------------------------------------------------------------------------------
# CSV


#: A spreadsheet runs a cell that starts with one of these as a formula (or DDE command).
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """The cell's text, with a leading apostrophe when a spreadsheet would evaluate it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_document(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """RFC 4180 CSV (CRLF line ends, quoted when needed) with every cell escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue()


def handles_label(handles: Mapping[str, str], networks: Collection[str] = ()) -> str:
    """``x:@ada bluesky:@ada.bsky.social`` style one-cell summary of a person's handles."""
    parts = []
    for network, handle in sorted(handles.items()):
        if not handle or (networks and network not in networks):
            continue
        shown = handle if network == "linkedin" else "@" + handle.removeprefix("@")
        parts.append(f"{network}:{shown}")
    return " ".join(parts)
