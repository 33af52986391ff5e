"""The pure rules behind tweetups, tweetchats and digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import markdown_it
import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.connecting import (
    DigestPost,
    Shared,
    SpeakerRef,
    TranscriptLine,
    TranscriptSection,
    collect_links,
    echo_key,
    has_hashtag,
    link_kind,
    markdown_escape,
    markdown_paragraphs,
    parse_answer,
    programme_gaps,
    question_text,
    rank_shared,
    speaker_mentions,
    transcript_markdown,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("A1 twelve mGy", 1),
        ("A1: twelve", 1),
        ("A1. twelve", 1),
        ("a1 lower case", 1),
        ("A12) twelve", 12),
        ("A2", 2),
        ("A3 - with a dash", 3),
        ("  A4:spaces first", 4),
        ("@ana_rad A2 replying", 2),
        ("@ana @ben, A2: both", 2),
        ("#NRC26chat A3 tag first", 3),
        ("A1\nnew line", 1),
        ("A1c levels were high", None),  # a word, not a mark
        ("AI will read it", None),
        ("The A1 answer", None),  # not at the start
        ("A0 zero", None),
        ("A21 too many", None),
        ("Q1: a question", None),
        ("", None),
        ("A", None),
    ],
)
def test_answer_marks(text: str, number: int | None) -> None:
    assert parse_answer(text) == number


@given(st.text(max_size=200))
def test_parse_answer_never_fails_and_stays_in_range(text: str) -> None:
    number = parse_answer(text)
    assert number is None or 1 <= number <= 20


def test_hashtags_match_in_any_case_and_whole() -> None:
    assert has_hashtag("A1 yes #nrc26CHAT", "#NRC26chat")
    assert has_hashtag("A1 yes #NRC26chat!", "NRC26chat")
    assert not has_hashtag("A1 yes #NRC26chats", "NRC26chat")
    assert not has_hashtag("see example.com/#NRC26chat", "NRC26chat")
    assert not has_hashtag("anything", None)


def test_questions_get_their_label_once() -> None:
    assert question_text(2, " Who checks it? ") == "Q2: Who checks it?"
    assert question_text(2, "Q2: Who checks it?") == "Q2: Who checks it?"
    assert question_text(2, "Q20 is not Q2") == "Q2: Q20 is not Q2"


T0 = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)  # 07:00 in Chicago


def at(hour: float) -> datetime:
    return T0 + timedelta(hours=hour - 7)


def test_gaps_are_mornings_breaks_and_evenings() -> None:
    busy = [(at(8.5), at(10)), (at(10.5), at(12)), (at(9), at(9.5)), (at(12), at(12.25)),
            (at(13.5), at(17))]

    gaps = programme_gaps(busy, day_start=at(7), day_end=at(22), min_length=timedelta(minutes=30))

    assert [(g.start, g.end, g.kind, g.minutes) for g in gaps] == [
        (at(7), at(8.5), "morning", 90),
        (at(10), at(10.5), "break", 30),
        (at(12.25), at(13.5), "break", 75),
        (at(17), at(22), "evening", 300),
    ]


def test_gaps_shorter_than_asked_and_empty_days_give_nothing() -> None:
    assert programme_gaps([], day_start=at(7), day_end=at(22),
                          min_length=timedelta(minutes=30)) == []
    only = programme_gaps([(at(6), at(23))], day_start=at(7), day_end=at(22),
                          min_length=timedelta(minutes=1))
    assert only == []
    tight = programme_gaps([(at(7.25), at(21.9))], day_start=at(7), day_end=at(22),
                           min_length=timedelta(minutes=15))
    assert [(g.kind, g.minutes) for g in tight] == [("morning", 15)]


@given(st.lists(st.tuples(st.integers(0, 24 * 60), st.integers(1, 240)), max_size=12))
def test_gaps_never_overlap_a_session(spans: list[tuple[int, int]]) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    busy = [(start + timedelta(minutes=a), start + timedelta(minutes=a + d)) for a, d in spans]
    gaps = programme_gaps(busy, day_start=start, day_end=start + timedelta(days=1),
                          min_length=timedelta(minutes=10))
    for gap in gaps:
        assert gap.end - gap.start >= timedelta(minutes=10)
        assert all(gap.end <= s or gap.start >= e for s, e in busy)


def test_echo_keys_ignore_retweet_prefixes_case_and_spacing() -> None:
    assert echo_key("RT @ana: Audit  your AI") == echo_key("audit your ai")
    assert echo_key("MT @ana RT @ben: x") == "x"
    assert echo_key("Audit your AI") != echo_key("Audit your AI today")


def test_sharing_counts_replies_and_echoes_by_others() -> None:
    posts = [
        DigestPost(1, 1, author_id=10, text="Audit your AI"),
        DigestPost(2, 2, author_id=11, text="Slides at speakerdeck.com/x"),
        DigestPost(3, 3, author_id=12, text="RT @ana: audit your AI"),
        DigestPost(4, 4, author_id=10, text="audit your ai"),  # the author again: no echo
        DigestPost(5, 5, author_id=12, text="yes", reply_to_id=2),
        DigestPost(6, 6, author_id=13, text="see https://b.example.org/posts/2"),
        DigestPost(7, 7, author_id=13, text="and", reply_to_id=99),  # outside the set
    ]

    assert rank_shared(posts) == [Shared(2, 1, 1), Shared(1, 0, 1)]
    assert rank_shared(posts, limit=1) == [Shared(2, 1, 1)]
    assert rank_shared([]) == []


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.slideshare.net/x/deck", "slides"),
        ("https://speakerdeck.com/nrc/sm01", "slides"),
        ("https://docs.google.com/presentation/d/abc", "slides"),
        ("https://docs.google.com/document/d/abc", "link"),
        ("https://example.org/talk.PDF", "slides"),
        ("https://example.org/files/deck.pptx?x=1", "slides"),
        ("https://example.org/2026/slides/", "slides"),
        ("pubs.example.org/paper", "link"),
    ],
)
def test_link_kinds(url: str, kind: str) -> None:
    assert link_kind(url) == kind


def test_links_are_counted_once_per_post_slides_first() -> None:
    posts = [
        DigestPost(1, 1, 1, "paper https://pubs.example.org/a https://pubs.example.org/a"),
        DigestPost(2, 2, 2, "deck speakerdeck.com/nrc/sm01 and https://pubs.example.org/a"),
        DigestPost(3, 3, 3, "ours https://backchannel.example.org/wall"),
    ]

    links = collect_links(posts, skip_hosts=["backchannel.example.org"])

    assert [(link.url, link.kind, link.posts, link.first_post_id) for link in links] == [
        ("https://speakerdeck.com/nrc/sm01", "slides", 1, 2),
        ("https://pubs.example.org/a", "link", 2, 1),
    ]


def test_speakers_are_found_by_name_or_handle() -> None:
    speakers = [SpeakerRef(1, "Nadia Okafor", ("@nokafor",)), SpeakerRef(2, "Li Wei", ())]

    counts = speaker_mentions(speakers, ["Great talk by nadia  okafor", "@NOKAFOR yes", "li"])

    assert counts == {1: 2, 2: 0}


def test_markdown_shows_text_as_written() -> None:
    assert markdown_escape("*a* _b_ <i> [l](u) # h | `c`") == (
        "\\*a\\* \\_b\\_ \\<i\\> \\[l\\](u) \\# h \\| \\`c\\`"
    )


def test_transcript_markdown_nests_replies() -> None:
    text = transcript_markdown(
        "Chat *one*",
        "#tag",
        [
            TranscriptSection("Q1: Why?", [
                TranscriptLine("Ana", "@ana", "19:01", "A1 because\nreasons"),
                TranscriptLine("Ben", "@ben", "19:02", "really?", depth=1),
            ]),
            TranscriptSection("Q2: How?", []),
        ],
    )

    assert text == (
        "# Chat \\*one\\*\n\n\\#tag\n\n## Q1: Why?\n\n"
        "- **Ana** (@ana, 19:01): A1 because\n  reasons\n"
        "  - **Ben** (@ben, 19:02): really?\n\n"
        "## Q2: How?\n\n_No answers._\n"
    )


def test_a_description_in_markdown_shows_as_written() -> None:
    text = (
        "  Bring <b>numbers</b> & [a link](javascript:x) *now*\n- no list\n+ none\n"
        "12) nor\n===\n    no code\n&amp;\r\n \t\n\n> no quote \\"
    )

    assert markdown_paragraphs(text) == (
        "Bring \\<b\\>numbers\\</b\\> \\& \\[a link\\](javascript:x) \\*now\\*\\\n"
        "\\- no list\\\n\\+ none\\\n12\\) nor\\\n\\===\\\nno code\\\n\\&amp;\n\n"
        "\\> no quote \\\\"
    )
    assert markdown_paragraphs(" \n\t") == ""
    assert transcript_markdown("T", "#t", [], "a\n\nb").endswith("\\#t\n\na\n\nb\n")


class _Rendered(HTMLParser):
    """The tags and the text of rendered Markdown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.add(tag)
        if tag == "br":
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


_MARKUP = st.sampled_from(
    [*"ab 1.)-+=*_#>`~|<&[]()!\\:\t\n\r\"'", "&amp;", "&lt;", "    ", "1. ", "- ", "<b>", "é"]
)


@given(st.lists(_MARKUP, max_size=40).map("".join))
def test_a_description_renders_as_text_only(text: str) -> None:
    """Whatever is typed, a CommonMark renderer makes paragraphs and line breaks of it, and
    shows the (trimmed) lines as they were typed."""
    html = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    rendered = _Rendered()
    rendered.feed(html.render(markdown_paragraphs(text)))

    assert rendered.tags <= {"p", "br"}
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    shown = [line for line in "".join(rendered.text).split("\n") if line]
    assert shown == [line for line in lines if line]
