"""Analytics maths over plain records: definitions, buckets, rankings, CSV, SVG charts."""

from __future__ import annotations

import csv
import io
import itertools
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain import analytics as an
from server.domain import charts
from server.domain.text import extract_hashtags
from tests.shared_data import SHARED

pytestmark = pytest.mark.unit

CHICAGO = ZoneInfo("America/Chicago")
KOLKATA = ZoneInfo("Asia/Kolkata")
SVG = "{http://www.w3.org/2000/svg}"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def talk(
    talk_id: int,
    start: str = "2026-11-28T09:00:00-06:00",
    end: str = "2026-11-28T10:00:00-06:00",
    *,
    track_id: int | None = None,
    status: str = "scheduled",
    day: date | None = None,
) -> an.TalkRecord:
    begin = at(start)
    return an.TalkRecord(
        id=talk_id,
        title=f"Session {talk_id}",
        code=f"S{talk_id}",
        tag=f"S{talk_id}",
        track_id=track_id,
        start_at=begin,
        end_at=at(end),
        day=day or begin.astimezone(CHICAGO).date(),
        status=status,
    )


def post(
    author: int,
    when: str = "2026-11-28T09:30:00-06:00",
    talk_id: int | None = None,
    text: str = "",
) -> an.PostRecord:
    return an.PostRecord(author, talk_id, int(at(when).timestamp()), an.text_entities(text))


# ------------------------------------------------------------------------------------------
# Definitions


@pytest.mark.parametrize(
    ("followers", "expected"),
    [
        ({}, 0),
        ({"x": 1200}, 1200),
        ({"x": 1200, "bluesky": 5000, "mastodon": 30}, 5000),
        ({"x": 0, "threads": 0}, 0),
        ({"x": -5, "bluesky": 3}, 3),
        ([7, 2, 9], 9),
        ([], 0),
    ],
)
def test_reach_is_the_largest_stated_follower_count(
    followers: dict[str, int] | list[int], expected: int
) -> None:
    assert an.reach(followers) == expected


@pytest.mark.parametrize(
    ("handles", "expected"),
    [([], False), ([""], False), (["ada"], True), (["", "in/ada"], True)],
)
def test_only_authors_with_a_handle_are_listed(handles: list[str], expected: bool) -> None:
    assert an.listed(handles) is expected


def test_audience_from_handle_rows() -> None:
    people = an.audience(
        [(1, "ada", 1200), (1, "ada.bsky.social", 5000), (2, "", 300), (3, "c", 0)]
    )

    assert people.reach_of == {1: 5000, 2: 300, 3: 0}
    assert people.listed == frozenset({1, 3})
    assert an.audience([]) == an.Audience({}, frozenset())


@pytest.mark.parametrize(
    ("text", "hashtags"),
    [
        ("no tags here", ()),
        ("#NRC26 great talk", (("nrc26", "NRC26"),)),
        ("#nrc26 and #NRC26 again", (("nrc26", "nrc26"),)),
        ("\uff03NRC26 full width", (("nrc26", "NRC26"),)),
        ("#RadAI #NRC26", (("radai", "RadAI"), ("nrc26", "NRC26"))),
        ("rated #1, C# code, it&#39;s", ()),
        ("see https://example.org/#summary now", ()),
        ("#NRC26's best, #NRC26-live", (("nrc26", "NRC26"),)),
        ("#Straße #STRASSE", (("strasse", "Straße"),)),  # casefold: one tag
    ],
)
def test_hashtags_are_distinct_per_post_by_case_insensitive_key(
    text: str, hashtags: tuple[tuple[str, str], ...]
) -> None:
    assert an.text_entities(text).hashtags == hashtags


def _extract_texts() -> list[str]:
    with (SHARED / "data" / "twitter-text-conformance" / "extract.yml").open(
        encoding="utf-8"
    ) as handle:
        suite = yaml.safe_load(handle)["tests"]
    return [case["text"] for cases in suite.values() for case in cases if "#" in case["text"]
            or "\uff03" in case["text"]]


@pytest.mark.parametrize("text", [*_extract_texts(), "https://\uff03\u00e9.com", "#foo.com",
                                  "x.co/#a #b", "see #NRC26. and example.org/#top"])
def test_fast_hashtags_equal_extract_hashtags_on_the_conformance_texts(text: str) -> None:
    assert an._hashtags(text) == extract_hashtags(text)


URLISH = st.lists(
    st.sampled_from(
        ["#", "\uff03", "#tag", "a", "Z", "1", ".", "/", ":", " ", "\n", "\u3000", "\u00a0",
         "\u2028", "é", "_", "-", "&", "?", "=", "https://", "http://", "www.", "example",
         ".com", ".org", "t.co", "/#x", "#frag", "@", "\u3002", "\uff0e", "(", ")"]
    ),
    max_size=14,
).map("".join)


@settings(max_examples=5_000, deadline=None)
@given(URLISH)
def test_fast_hashtags_equal_extract_hashtags(text: str) -> None:
    assert an._hashtags(text) == extract_hashtags(text)


@given(st.lists(st.tuples(st.integers(1, 5), st.sampled_from(["", "ada", "in/b"]),
                          st.integers(-3, 10**6))))
def test_audience_applies_reach_and_listed_per_user(rows: list[tuple[int, str, int]]) -> None:
    people = an.audience(rows)
    users = {u for u, _, _ in rows}

    assert people.reach_of == {u: an.reach([f for v, _, f in rows if v == u]) for u in users}
    assert people.listed == {u for u in users if an.listed(h for v, h, _ in rows if v == u)}


@pytest.mark.parametrize(
    ("text", "handles"),
    [
        ("nothing", ()),
        ("@DanielNeuroRad: great", ("danielneurorad",)),
        ("thanks @drdabrams.bsky.social.", ("drdabrams.bsky.social",)),
        ("cc @jpark@med-mastodon.com!", ("jpark@med-mastodon.com",)),
        ("@dr.jiwoo.park's slides", ("dr.jiwoo.park",)),
        ("@Ada and @ada and @ADA", ("ada",)),
        ("(@ada) \uff20bob", ("ada", "bob")),
        ("mail ada@example.org", ()),
        ("profile https://med.social/@ada", ()),
        ("@ trailing", ()),
        ("@ada-", ("ada",)),
    ],
)
def test_handle_tokens(text: str, handles: tuple[str, ...]) -> None:
    assert an.text_entities(text).handles == handles


@pytest.mark.parametrize(
    ("network", "handle", "key"),
    [
        ("x", "DanielNeuroRad", "danielneurorad"),
        ("x", "@DanielNeuroRad", "danielneurorad"),
        ("bluesky", "drdabrams.bsky.social", "drdabrams.bsky.social"),
        ("mastodon", "jpark@med-mastodon.com", "jpark@med-mastodon.com"),
        ("threads", "dr.jiwoo.park", "dr.jiwoo.park"),
        ("linkedin", "in/ada", None),
        ("x", "", None),
        ("x", "in/ada", None),
        ("myspace", "ada", None),
    ],
)
def test_mention_key_per_network(network: str, handle: str, key: str | None) -> None:
    assert an.mention_key(network, handle) == key


def test_mention_index_keeps_every_speaker_sharing_a_token() -> None:
    index = an.mention_index(
        [
            an.SpeakerRecord(1, "A", {"x": "Ada", "threads": "ada", "linkedin": "in/ada"}),
            an.SpeakerRecord(2, "B", {"x": "ADA", "bluesky": ""}),
        ]
    )
    assert index == {"ada": ((1, "threads"), (1, "x"), (2, "x"))}


def test_local_hour_keeps_the_offset_across_the_autumn_change() -> None:
    first = an.local_hour(at("2026-11-01T06:30:00+00:00"), CHICAGO)
    second = an.local_hour(at("2026-11-01T07:30:00+00:00"), CHICAGO)

    assert first.isoformat() == "2026-11-01T01:00:00-05:00"
    assert second.isoformat() == "2026-11-01T01:00:00-06:00"
    assert first.astimezone(UTC) != second.astimezone(UTC)


def test_local_hour_in_a_half_hour_zone() -> None:
    hour = an.local_hour(at("2026-11-28T04:10:00+00:00"), KOLKATA)
    assert hour.isoformat() == "2026-11-28T09:00:00+05:30"


# ------------------------------------------------------------------------------------------
# Counting


def test_analyse_counts_posts_participants_and_impressions() -> None:
    talks = {1: talk(1, track_id=10), 2: talk(2, track_id=None)}
    posts = [
        post(1, talk_id=1, text="#NRC26 #RadAI"),
        post(1, talk_id=1, text="#nrc26 @ada"),
        post(2, talk_id=2, text="#NRC26"),
        post(3, text="outside"),
        post(3, talk_id=99, text="unknown session"),
    ]
    result = an.analyse(
        posts,
        reach_of={1: 100, 2: 7},
        talks=talks,
        tz=CHICAGO,
        mentions=an.mention_index([an.SpeakerRecord(5, "Ada", {"x": "ada"})]),
    )

    assert result.total.figures() == {"posts": 5, "participants": 3, "impressions": 207}
    assert result.by_session[1].figures() == {"posts": 2, "participants": 1, "impressions": 200}
    assert result.by_session[2].figures() == {"posts": 1, "participants": 1, "impressions": 7}
    assert result.outside_sessions.figures() == {"posts": 2, "participants": 1, "impressions": 0}
    assert set(result.by_track) == {10}
    assert result.by_track[10].posts == 2
    assert result.by_hashtag["nrc26"].figures() == {
        "posts": 3, "participants": 2, "impressions": 207
    }
    assert result.spellings["nrc26"] == Counter({"NRC26": 2, "nrc26": 1})
    assert result.by_speaker[5].figures() == {"posts": 1, "participants": 1, "impressions": 100}
    assert result.author_posts == Counter({1: 2, 3: 2, 2: 1})
    assert result.first_post_at == result.last_post_at == at("2026-11-28T09:30:00-06:00")
    assert result.first_post_at is not None and result.first_post_at.tzinfo is UTC


def test_a_speaker_counts_once_per_post_with_every_network_seen() -> None:
    speakers = [an.SpeakerRecord(1, "Ji-woo", {"x": "JiwooPark", "bluesky": "jp.bsky.social"})]
    posts = [
        post(1, text="@JiwooPark and @jp.bsky.social and @jiwoopark"),
        post(2, text="@jp.bsky.social"),
    ]
    result = an.analyse(posts, reach_of={}, talks={}, tz=UTC,
                        mentions=an.mention_index(speakers))

    assert result.by_speaker[1].posts == 2
    assert result.speaker_networks[1] == Counter({"bluesky": 2, "x": 1})


def test_days_and_hours_are_local() -> None:
    posts = [
        post(1, "2026-11-28T23:30:00-06:00"),
        post(1, "2026-11-29T00:10:00-06:00"),
        post(2, "2026-11-29T00:50:00-06:00"),
    ]
    result = an.analyse(posts, reach_of={1: 1, 2: 2}, talks={}, tz=CHICAGO)

    assert {d.isoformat(): t.figures() for d, t in result.by_day.items()} == {
        "2026-11-28": {"posts": 1, "participants": 1, "impressions": 1},
        "2026-11-29": {"posts": 2, "participants": 2, "impressions": 3},
    }
    assert [(h.isoformat(), t.posts) for h, t in an.hour_series(result.by_hour, CHICAGO)] == [
        ("2026-11-28T23:00:00-06:00", 1),
        ("2026-11-29T00:00:00-06:00", 2),
    ]


def test_the_repeated_autumn_hour_is_two_buckets() -> None:
    posts = [
        post(1, "2026-11-01T00:59:00-05:00"),
        post(1, "2026-11-01T01:30:00-05:00"),
        post(2, "2026-11-01T01:30:00-06:00"),
        post(2, "2026-11-01T01:45:00-06:00"),
        post(3, "2026-11-01T03:10:00-06:00"),
    ]
    result = an.analyse(posts, reach_of={}, talks={}, tz=CHICAGO)
    series = [(h.isoformat(), t.posts) for h, t in an.hour_series(result.by_hour, CHICAGO)]

    assert series == [
        ("2026-11-01T00:00:00-05:00", 1),
        ("2026-11-01T01:00:00-05:00", 1),
        ("2026-11-01T01:00:00-06:00", 2),
        ("2026-11-01T02:00:00-06:00", 0),
        ("2026-11-01T03:00:00-06:00", 1),
    ]
    assert result.by_day[date(2026, 11, 1)].posts == 5


def test_the_skipped_spring_hour_is_not_in_the_series() -> None:
    posts = [post(1, "2026-03-08T01:30:00-06:00"), post(1, "2026-03-08T03:30:00-05:00")]
    result = an.analyse(posts, reach_of={}, talks={}, tz=CHICAGO)

    assert [h.isoformat() for h, _ in an.hour_series(result.by_hour, CHICAGO)] == [
        "2026-03-08T01:00:00-06:00",
        "2026-03-08T03:00:00-05:00",
    ]


def test_hours_in_a_half_hour_zone() -> None:
    posts = [post(1, "2026-11-28T03:20:00+00:00"), post(1, "2026-11-28T03:40:00+00:00")]
    result = an.analyse(posts, reach_of={}, talks={}, tz=KOLKATA)

    assert [(h.isoformat(), t.posts) for h, t in an.hour_series(result.by_hour, KOLKATA)] == [
        ("2026-11-28T08:00:00+05:30", 1),
        ("2026-11-28T09:00:00+05:30", 1),
    ]


def test_series_fill_gaps_and_are_empty_without_posts() -> None:
    posts = [post(1, "2026-11-27T10:00:00-06:00"), post(1, "2026-11-29T12:20:00-06:00")]
    result = an.analyse(posts, reach_of={}, talks={}, tz=CHICAGO)

    days = an.day_series(result.by_day)
    assert [(d.isoformat(), t.posts) for d, t in days] == [
        ("2026-11-27", 1), ("2026-11-28", 0), ("2026-11-29", 1)
    ]
    assert len(an.hour_series(result.by_hour, CHICAGO)) == 2 * 24 + 3
    assert an.day_series({}) == []
    assert an.hour_series({}, CHICAGO) == []


# ------------------------------------------------------------------------------------------
# Rankings


def test_hashtag_label_is_the_most_used_spelling_ties_to_the_smallest() -> None:
    assert an.hashtag_label(Counter({"NRC26": 3, "nrc26": 5})) == "#nrc26"
    assert an.hashtag_label(Counter({"nrc26": 2, "NRC26": 2})) == "#NRC26"


def test_hashtags_rank_by_posts_then_participants_then_key() -> None:
    posts = [
        post(1, text="#b #a #c"),
        post(2, text="#b #a"),
        post(2, text="#c"),
        post(3, text="#d"),
    ]
    result = an.analyse(posts, reach_of={}, talks={}, tz=UTC)

    ranked = [(key, label, t.posts, t.participants) for key, label, t in
              an.ranked_hashtags(result)]
    assert ranked == [
        ("a", "#a", 2, 2), ("b", "#b", 2, 2), ("c", "#c", 2, 2), ("d", "#d", 1, 1)
    ]


def test_sessions_rank_by_posts_then_participants_then_start() -> None:
    talks = {
        1: talk(1, "2026-11-28T11:00:00-06:00", "2026-11-28T12:00:00-06:00"),
        2: talk(2, "2026-11-28T09:00:00-06:00", "2026-11-28T10:00:00-06:00"),
        3: talk(3),
    }
    posts = [post(1, talk_id=1), post(2, talk_id=1), post(1, talk_id=2), post(2, talk_id=2),
             post(1, talk_id=3), post(1, talk_id=3)]
    result = an.analyse(posts, reach_of={}, talks=talks, tz=CHICAGO)

    assert [t.id for t, _ in an.ranked_sessions(result, talks)] == [2, 1, 3]


def test_tracks_rank_by_posts_then_name() -> None:
    talks = {1: talk(1, track_id=1), 2: talk(2, track_id=2), 3: talk(3, track_id=3)}
    posts = [post(1, talk_id=1), post(1, talk_id=2), post(1, talk_id=3), post(2, talk_id=3)]
    result = an.analyse(posts, reach_of={}, talks=talks, tz=CHICAGO)

    ranked = an.ranked_tracks(result, {1: "neuro", 2: "Breast", 3: "Chest"})
    assert [(name, t.posts) for _, name, t in ranked] == [("Chest", 2), ("Breast", 1),
                                                          ("neuro", 1)]


def test_top_contributors_leave_out_people_without_handles() -> None:
    people = an.Audience({1: 10, 2: 0, 3: 1000, 4: 10, 5: 7}, frozenset({1, 3, 4, 6}))
    posts = Counter({1: 5, 2: 9, 3: 1, 4: 5, 5: 2, 6: 1})

    by_posts = an.top_contributors(posts, people, by="posts", limit=None)
    by_impressions = an.top_contributors(posts, people, by="impressions", limit=2)

    assert [(c.author_id, c.posts, c.impressions) for c in by_posts] == [
        (1, 5, 50), (4, 5, 50), (3, 1, 1000), (6, 1, 0)
    ]
    assert [c.author_id for c in by_impressions] == [3, 1]


def test_top_contributors_break_post_ties_by_impressions() -> None:
    people = an.Audience({1: 1, 2: 2}, frozenset({1, 2}))
    ranked = an.top_contributors(Counter({1: 3, 2: 3}), people, by="posts", limit=None)
    assert [c.author_id for c in ranked] == [2, 1]


def test_top_speakers_rank_by_posts_then_name() -> None:
    speakers = {
        1: an.SpeakerRecord(1, "Zed", {"x": "zed"}),
        2: an.SpeakerRecord(2, "amy", {"x": "amy"}),
        3: an.SpeakerRecord(3, "Bob", {"x": "bob"}),
    }
    posts = [post(1, text="@zed @amy"), post(2, text="@zed"), post(3, text="@bob")]
    result = an.analyse(posts, reach_of={}, talks={}, tz=UTC,
                        mentions=an.mention_index(speakers.values()))

    ranked = an.top_speakers(result, speakers, None)
    assert [(s.name, t.posts, nets) for s, t, nets in ranked] == [
        ("Zed", 2, {"x": 2}), ("amy", 1, {"x": 1}), ("Bob", 1, {"x": 1})
    ]
    assert len(an.top_speakers(result, speakers, 1)) == 1


# ------------------------------------------------------------------------------------------
# Leaderboard


def test_leaderboard_now_and_today() -> None:
    talks = [
        talk(1, "2026-11-28T09:00:00-06:00", "2026-11-28T10:00:00-06:00"),
        talk(2, "2026-11-28T09:30:00-06:00", "2026-11-28T10:30:00-06:00"),
        talk(3, "2026-11-28T08:00:00-06:00", "2026-11-28T09:00:00-06:00"),
        talk(4, "2026-11-28T09:00:00-06:00", "2026-11-28T11:00:00-06:00", status="cancelled"),
        talk(5, "2026-11-29T09:00:00-06:00", "2026-11-29T10:00:00-06:00"),
        talk(6, "2026-11-28T14:00:00-06:00", "2026-11-28T15:00:00-06:00"),
    ]
    counts = [(1, 10, 2), (1, 11, 1), (3, 10, 5), (4, 10, 9), (5, 12, 4), (3, 13, 0)]
    board = an.leaderboard(talks, counts, reach_of={10: 100, 11: 1}, at=at(
        "2026-11-28T09:45:00-06:00"), tz=CHICAGO, limit=10)

    assert board.day == date(2026, 11, 28)
    assert [(r.talk.id, r.tally.posts) for r in board.now] == [(1, 3), (2, 0)]
    assert board.now[0].tally.figures() == {"posts": 3, "participants": 2, "impressions": 201}
    assert [(r.talk.id, r.tally.posts) for r in board.today] == [(3, 5), (1, 3)]


def test_leaderboard_ends_are_exclusive_and_limits_apply() -> None:
    talks = [talk(1, "2026-11-28T09:00:00-06:00", "2026-11-28T10:00:00-06:00"),
             talk(2, "2026-11-28T10:00:00-06:00", "2026-11-28T11:00:00-06:00"),
             talk(3, "2026-11-28T10:00:00-06:00", "2026-11-28T11:00:00-06:00")]
    board = an.leaderboard(talks, [(2, 1, 1), (3, 1, 2), (1, 1, 7)], reach_of={},
                           at=at("2026-11-28T10:00:00-06:00"), tz=CHICAGO, limit=1)

    assert [r.talk.id for r in board.now] == [3]
    assert [r.talk.id for r in board.today] == [1]


def test_leaderboard_day_is_the_conference_day_of_the_instant() -> None:
    talks = [talk(1, "2026-11-28T22:00:00-06:00", "2026-11-28T23:00:00-06:00")]
    board = an.leaderboard(talks, [(1, 1, 1)], reach_of={},
                           at=at("2026-11-29T04:30:00+00:00"), tz=CHICAGO, limit=5)

    assert board.day == date(2026, 11, 28)
    assert [r.talk.id for r in board.today] == [1]


# ------------------------------------------------------------------------------------------
# CSV


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1", "'+33 1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("#NRC26", "#NRC26"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (42, "42"),
        ("'=already", "'=already"),
    ],
)
def test_csv_cells_that_spreadsheets_would_evaluate_get_an_apostrophe(
    value: object, cell: str
) -> None:
    assert an.csv_cell(value) == cell


def test_csv_document_round_trips_with_quoting_and_crlf() -> None:
    rows: list[list[object]] = [
        ["Dr. \"Quote\", Jr.", "line\nbreak", 3], ["=cmd|' /C calc'!A0", None, 0]
    ]
    document = an.csv_document(["name", "note", "posts"], rows)

    assert document.endswith("\r\n")
    assert document.startswith("name,note,posts\r\n")
    parsed = list(csv.reader(io.StringIO(document, newline="")))
    assert parsed == [
        ["name", "note", "posts"],
        ["Dr. \"Quote\", Jr.", "line\nbreak", "3"],
        ["'=cmd|' /C calc'!A0", "", "0"],
    ]


def test_handles_label() -> None:
    label = an.handles_label(
        {"x": "ada", "mastodon": "ada@med.social", "linkedin": "in/ada", "threads": ""}
    )
    assert label == "linkedin:in/ada mastodon:@ada@med.social x:@ada"


# ------------------------------------------------------------------------------------------
# Property: one pass agrees with counting each figure separately


records = st.builds(
    lambda author_id, talk_id, minutes, tags, handles: an.PostRecord(
        author_id,
        talk_id,
        int((datetime(2026, 10, 31, tzinfo=UTC) + timedelta(minutes=minutes)).timestamp()),
        an.TextEntities(tuple((t, t.upper()) for t in sorted(set(tags))),
                        tuple(sorted(set(handles)))),
    ),
    st.integers(1, 6),
    st.one_of(st.none(), st.integers(1, 4)),
    st.integers(0, 4 * 24 * 60),
    st.lists(st.sampled_from(["a", "b", "c"]), max_size=3),
    st.lists(st.sampled_from(["ada", "bob", "x.bsky.social"]), max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(records, max_size=40), st.dictionaries(st.integers(1, 6), st.integers(0, 1000)))
def test_analyse_agrees_with_naive_counts(
    posts: list[an.PostRecord], reach_of: dict[int, int]
) -> None:
    talks = {i: talk(i, track_id=i % 2) for i in (1, 2, 3)}  # session 4 is unknown
    speakers = [an.SpeakerRecord(1, "Ada", {"x": "ada", "bluesky": "x.bsky.social"}),
                an.SpeakerRecord(2, "Bob", {"threads": "bob"})]
    result = an.analyse(posts, reach_of=reach_of, talks=talks, tz=CHICAGO,
                        mentions=an.mention_index(speakers))

    def figures(selected: list[an.PostRecord]) -> dict[str, int]:
        return {
            "posts": len(selected),
            "participants": len({p.author_id for p in selected}),
            "impressions": sum(reach_of.get(p.author_id, 0) for p in selected),
        }

    assert result.total.figures() == figures(posts)
    for talk_id in (1, 2, 3):
        selected = [p for p in posts if p.talk_id == talk_id]
        assert (result.by_session[talk_id].figures() if talk_id in result.by_session
                else figures([])) == figures(selected)
    assert result.outside_sessions.figures() == figures(
        [p for p in posts if p.talk_id not in talks]
    )
    for track_id in (0, 1):
        selected = [
            p for p in posts if p.talk_id in talks and talks[p.talk_id].track_id == track_id
        ]
        got = result.by_track.get(track_id)
        assert (got.figures() if got else figures([])) == figures(selected)
    for key in ("a", "b", "c"):
        selected = [p for p in posts if key in dict(p.entities.hashtags)]
        got = result.by_hashtag.get(key)
        assert (got.figures() if got else figures([])) == figures(selected)
    hours: dict[str, list[an.PostRecord]] = {}
    for p in posts:
        local = datetime.fromtimestamp(p.created, CHICAGO)
        hours.setdefault(local.strftime("%Y-%m-%dT%H%z"), []).append(p)
    series = {h.strftime("%Y-%m-%dT%H%z"): t.figures()
              for h, t in an.hour_series(result.by_hour, CHICAGO) if t.posts}
    assert series == {key: figures(selected) for key, selected in hours.items()}
    for speaker_id, tokens in ((1, {"ada", "x.bsky.social"}), (2, {"bob"})):
        selected = [p for p in posts if tokens & set(p.entities.handles)]
        got = result.by_speaker.get(speaker_id)
        assert (got.figures() if got else figures([])) == figures(selected)
    assert sum(result.author_posts.values()) == len(posts)


# ------------------------------------------------------------------------------------------
# Charts


HOSTILE = "<script>alert(1)</script> & \"q\" 'a' \x01\x1f\ufffe end"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_escape_makes_any_text_safe_xml() -> None:
    escaped = charts.escape(HOSTILE)
    assert "<" not in escaped and "\x01" not in escaped and "\ufffe" not in escaped
    root = parse(f"<t a='{escaped}' b=\"{escaped}\">{escaped}</t>")
    assert root.text == "<script>alert(1)</script> & \"q\" 'a'  end"


def test_column_chart_is_accessible_valid_svg() -> None:
    bars = [charts.Bar(f"Sat {h:02d}:00", v, "Sat 28 Nov" if h == 0 else None)
            for h, v in enumerate([0, 5, 12, 3])]
    svg = charts.column_chart("Posts per hour " + HOSTILE, "A description " + HOSTILE, bars)
    root = parse(svg)

    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-title chart-desc"
    assert root.find(f"{SVG}title").text.startswith("Posts per hour <script>")  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text.startswith("A description")  # type: ignore[union-attr]
    rects = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [r.find(f"{SVG}title").text for r in rects] == [  # type: ignore[union-attr]
        "Sat 00:00: 0 posts", "Sat 01:00: 5 posts", "Sat 02:00: 12 posts", "Sat 03:00: 3 posts"
    ]
    heights = [float(r.get("height", "0")) for r in rects]
    assert heights[2] == max(heights) and heights[0] == 0
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert tags == {"svg", "title", "desc", "rect", "text", "line"}
    assert "<script>" not in svg and "style=" not in svg


def test_bar_chart_labels_values_and_shortens() -> None:
    bars = [charts.Bar("#NRC26", 1234), charts.Bar("A very long session title " * 4, 10)]
    root = parse(charts.bar_chart("Top", "desc", bars))
    texts = [t.text for t in root.iter(f"{SVG}text")]

    assert "#NRC26" in texts and "1,234" in texts and "10" in texts
    assert any(t and t.endswith("\u2026") and len(t) <= 42 for t in texts)
    titles = [r.find(f"{SVG}title") for r in root.iter(f"{SVG}rect")]
    full = "A very long session title " * 4
    assert [t.text for t in titles if t is not None][1] == full + ": 10 posts"


def test_empty_charts_say_so() -> None:
    for svg in (charts.column_chart("T", "D", []), charts.bar_chart("T", "D", [])):
        texts = [t.text for t in parse(svg).iter(f"{SVG}text")]
        assert texts == ["T", "No posts yet"]


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (10, [0, 2, 4, 6, 8, 10]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_nice_ticks(maximum: int, ticks: list[int]) -> None:
    assert charts.nice_ticks(maximum) == ticks


@given(st.integers(1, 10**9))
def test_nice_ticks_cover_the_maximum_with_few_round_steps(maximum: int) -> None:
    ticks = charts.nice_ticks(maximum)
    step = ticks[1]
    assert ticks[0] == 0 and ticks[-1] >= maximum and len(ticks) <= 7
    assert str(step).rstrip("0") in {"1", "2", "5"}
    assert all(b - a == step for a, b in itertools.pairwise(ticks))


def test_shorten() -> None:
    assert charts.shorten("  a   b ", 10) == "a b"
    assert charts.shorten("abcdefghij", 5) == "abcd\u2026"


# ------------------------------------------------------------------------------------------
# docs/analytics.md


def test_the_documented_example() -> None:
    people = an.audience(
        [(1, "LinaReadsFilms", 1240), (1, "linamoreau-rad.bsky.social", 610),
         (1, "linamoreau@med-mastodon.com", 180), (2, "priyanka.scans", 2300),
         (2, "priyankagrant-ct.bsky.social", 420), (2, "pgrant@mastodon.social", 95)]
    )
    talks = {7: talk(7, track_id=3)}
    posts = [
        post(1, "2026-11-28T09:05:00-06:00", 7,
             "Great start #NRC26 #neurorad thanks @DanielNeuroRad"),
        post(1, "2026-11-28T09:40:00-06:00", 7, "Slides are up #nrc26 #NRC26"),
        post(2, "2026-11-28T10:15:00-06:00", None, "Coffee queue is long #NRC26"),
    ]
    speakers = {9: an.SpeakerRecord(9, "Daniel Abrams", {"x": "DanielNeuroRad",
                                                        "bluesky": "drdabrams.bsky.social"})}
    result = an.analyse(posts, reach_of=people.reach_of, talks=talks, tz=CHICAGO,
                        mentions=an.mention_index(speakers.values()))

    assert result.total.figures() == {"posts": 3, "participants": 2, "impressions": 4780}
    assert [(h.isoformat(), t.figures()) for h, t in an.hour_series(result.by_hour, CHICAGO)] == [
        ("2026-11-28T09:00:00-06:00", {"posts": 2, "participants": 1, "impressions": 2480}),
        ("2026-11-28T10:00:00-06:00", {"posts": 1, "participants": 1, "impressions": 2300}),
    ]
    assert result.by_session[7].figures() == {"posts": 2, "participants": 1, "impressions": 2480}
    assert result.outside_sessions.figures() == {
        "posts": 1, "participants": 1, "impressions": 2300
    }
    assert [(label, t.figures()) for _, label, t in an.ranked_hashtags(result)] == [
        ("#NRC26", {"posts": 3, "participants": 2, "impressions": 4780}),
        ("#neurorad", {"posts": 1, "participants": 1, "impressions": 1240}),
    ]
    assert [(s.name, t.posts, nets) for s, t, nets in an.top_speakers(result, speakers, 10)] == [
        ("Daniel Abrams", 1, {"x": 1})
    ]
    rankings: tuple[an.Ranking, ...] = ("posts", "impressions")
    for by in rankings:
        ranked = an.top_contributors(result.author_posts, people, by=by, limit=10)
        assert [(c.author_id, c.posts, c.impressions) for c in ranked] == [(1, 2, 2480),
                                                                           (2, 1, 2300)]
    assert result.first_post_at is not None and result.last_post_at is not None
    assert result.first_post_at.astimezone(CHICAGO).isoformat() == "2026-11-28T09:05:00-06:00"
    assert result.last_post_at.astimezone(CHICAGO).isoformat() == "2026-11-28T10:15:00-06:00"
