"""compose, suggest_tags and thread_for_session: tags, handles per network, templates."""

from __future__ import annotations

import pytest

from server.domain.drafting import (
    TEMPLATES,
    DraftError,
    SessionInfo,
    Speaker,
    TagSuggestion,
    compose,
    session_tags,
    speaker_reference,
    suggest_tags,
    thread_for_session,
)
from server.domain.text.measure import NETWORKS
from server.domain.text.validation import TextValidationError

pytestmark = pytest.mark.unit

ALICE = Speaker(
    "Alice Chen",
    {
        "x": "alicec",
        "bluesky": "alice.bsky.social",
        "mastodon": "alice@med.social",
        "threads": "alice.c",
        "linkedin": "in/alice-chen",
    },
)
BOB = Speaker("Bob Smith", {"x": "bobs"})
SESSION = SessionInfo(
    title="Deep learning for chest CT",
    conference_tag="RSNA24",
    session_tag="#SSA01",
    track="Chest",
    track_tags=("#ChestRad", "AI"),
    speakers=(ALICE, BOB),
    room="Hall B",
)


@pytest.mark.parametrize(
    ("network", "expected"),
    [
        ("x", "Now: \u201cDeep learning for chest CT\u201d with @alicec and @bobs. #RSNA24 #SSA01"),
        (
            "bluesky",
            "Now: \u201cDeep learning for chest CT\u201d with @alice.bsky.social and Bob Smith."
            " #RSNA24 #SSA01",
        ),
        (
            "mastodon",
            "Now: \u201cDeep learning for chest CT\u201d with @alice@med.social and Bob Smith."
            " #RSNA24 #SSA01",
        ),
        (
            "threads",
            "Now: \u201cDeep learning for chest CT\u201d with @alice.c and Bob Smith."
            " #RSNA24 #SSA01",
        ),
        (
            "linkedin",
            "Now: \u201cDeep learning for chest CT\u201d with Alice Chen and Bob Smith."
            " #RSNA24 #SSA01",
        ),
    ],
)
def test_now_template_uses_each_networks_handle_form(network: str, expected: str) -> None:
    draft = compose(SESSION, network)
    assert draft.text == expected
    assert draft.valid is True
    assert list(draft.measurements) == list(NETWORKS)


def test_parts_record_mentions_names_and_tags() -> None:
    draft = compose(SESSION, "mastodon", note="Sensitivity up 12%", link="https://ex.org/p")
    assert draft.parts.mentions == ("@alice@med.social",)
    assert draft.parts.named == ("Bob Smith",)
    assert draft.parts.tags == ("#RSNA24", "#SSA01")
    assert draft.parts.note == "Sensitivity up 12%"
    assert draft.parts.link == "https://ex.org/p"
    assert draft.text.endswith("Sensitivity up 12% https://ex.org/p #RSNA24 #SSA01")
    assert draft.measurements["mastodon"].length == len(draft.text) - len("@med.social") - (
        len("https://ex.org/p") - 23
    )


def test_tags_in_the_note_are_not_duplicated_case_insensitively() -> None:
    draft = compose(SESSION, "x", note="Wow #rsna24 #ai")
    assert draft.text.endswith("Wow #rsna24 #ai #SSA01")
    assert draft.parts.tags == ("#SSA01",)
    assert draft.parts.tags_already_present == ("#RSNA24",)
    picked = compose(SESSION, "x", note="Wow #rsna24 #ai", extra_tags=["AI", "#ChestRad"])
    assert picked.parts.tags == ("#SSA01", "#ChestRad")
    assert picked.parts.tags_already_present == ("#RSNA24", "#AI")


def test_link_already_in_note_is_not_repeated() -> None:
    draft = compose(SESSION, "x", note="paper https://ex.org/p", link="https://ex.org/p")
    assert draft.text.count("https://ex.org/p") == 1


def test_every_template() -> None:
    texts = {
        template: compose(
            SESSION, "x", template=template, note="N", quote="Data wins", speaker=0
        ).text
        for template in TEMPLATES
    }
    title = "\u201cDeep learning for chest CT\u201d"
    assert texts == {
        "now": f"Now: {title} with @alicec and @bobs. N #RSNA24 #SSA01",
        "quote": f"\u201cData wins\u201d \u2014 @alicec at {title} N #RSNA24 #SSA01",
        "takeaway": f"Key takeaway from {title} by @alicec and @bobs: N #RSNA24 #SSA01",
        "slides": f"Slides for {title} by @alicec and @bobs: N #RSNA24 #SSA01",
        "tweetup": f"Tweetup after {title}! N #RSNA24 #SSA01",
        "speaking": f"I'm speaking: {title} with @bobs in Hall B. N #RSNA24 #SSA01",
    }


def test_session_without_speakers_or_tags() -> None:
    bare = SessionInfo(title="Keynote")
    assert compose(bare, "x").text == "Now: \u201cKeynote\u201d."
    assert (
        compose(bare, "x", template="quote", quote="Hi").text
        == "\u201cHi\u201d at \u201cKeynote\u201d"
    )


def test_session_tag_from_code_and_invalid_tags() -> None:
    assert session_tags(SessionInfo("T", conference_tag="#RSNA24", code="SSA01-3")) == (
        "#RSNA24",
        "#SSA013",
    )
    assert session_tags(SessionInfo("T", conference_tag="2024", code="123")) == (None, None)


def test_speaker_reference_falls_back_to_name_for_malformed_handles() -> None:
    assert speaker_reference(Speaker("Eve", {"x": "not a handle"}), "x") == ("Eve", False)
    assert speaker_reference(Speaker("Eve", {"x": "@eve_1"}), "x") == ("@eve_1", True)
    assert speaker_reference(Speaker("Eve", {"mastodon": "eve"}), "mastodon") == ("Eve", False)
    assert speaker_reference(ALICE, "linkedin") == ("Alice Chen", False)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"network": "myspace"}, "unknown_network"),
        ({"network": "x", "template": "poem"}, "unknown_template"),
        ({"network": "x", "template": "quote"}, "missing_quote"),
        ({"network": "x", "link": "javascript:alert(1)"}, "invalid_link"),
        ({"network": "x", "link": "https://ex.org/a b"}, "invalid_link"),
        ({"network": "x", "speaker": 5}, "unknown_speaker"),
        ({"network": "x", "extra_tags": ["#1-2"]}, "invalid_tag"),
    ],
)
def test_compose_errors(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(DraftError) as caught:
        compose(SESSION, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_note_is_validated() -> None:
    with pytest.raises(TextValidationError) as caught:
        compose(SESSION, "x", note="bad\x00note")
    assert (caught.value.code, caught.value.field) == ("invalid_encoding", "note")


def test_too_long_draft_is_reported_not_truncated() -> None:
    note = "word " * 80
    draft = compose(SESSION, "x", note=note)
    assert note.strip() in draft.text
    assert draft.valid is False
    assert draft.measurements["mastodon"].valid is True


def test_suggestions_ranked_with_reasons() -> None:
    found = suggest_tags(
        SESSION,
        trending=[("#lungs", 9), ("#ai", 5), ("RSNA24", 40), ("#0", 3), ("#gone", 0)],
        text="note with #LUNGS",
    )
    assert found == [
        TagSuggestion(
            "#RSNA24",
            "conference",
            "The conference hashtag: puts the post on the wall; "
            "Trending on this session's wall (40 posts)",
            False,
        ),
        TagSuggestion(
            "#SSA01", "session", "This session's tag: groups posts about this talk", False
        ),
        TagSuggestion("#ChestRad", "track", "Topic tag for the \u201cChest\u201d track", False),
        TagSuggestion(
            "#AI",
            "track",
            "Topic tag for the \u201cChest\u201d track; Trending on this session's wall (5 posts)",
            False,
        ),
        TagSuggestion("#lungs", "trending", "Trending on this session's wall (9 posts)", True),
    ]
    assert len(suggest_tags(SESSION, limit=2)) == 2


def test_thread_for_session_places_tags() -> None:
    note = " ".join(f"Point {i} about lung nodules." for i in range(30))
    thread = thread_for_session(SESSION, note, "x")
    assert len(thread.parts) > 1
    assert thread.parts[0].tags == ("#RSNA24", "#SSA01")
    assert all(part.tags == ("#RSNA24",) for part in thread.parts[1:])
    with pytest.raises(DraftError):
        thread_for_session(SESSION, note, "myspace")
