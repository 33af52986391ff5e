"""Thread splitting: every part fits, nothing is lost or reordered, entities stay whole."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.domain.text.entities import extract_hashtags
from server.domain.text.measure import NETWORKS, Network, measure_one
from server.domain.text.threads import Thread, ThreadSplitError, split_thread

pytestmark = pytest.mark.unit

SENTENCES = " ".join(f"Sentence {i} is about iterative CT reconstruction." for i in range(20))


def _words(thread: Thread) -> list[str]:
    return [word for part in thread.parts for word in part.body.split()]


def test_short_note_is_one_unnumbered_part_with_tags() -> None:
    thread = split_thread("Great talk", "x", first_tags=["SSA01"], every_tags=["#RSNA24"])
    assert thread.texts == ("Great talk #RSNA24 #SSA01",)
    assert thread.parts[0].tags == ("#RSNA24", "#SSA01")
    assert (thread.parts[0].index, thread.parts[0].total) == (1, 1)


def test_long_note_is_numbered_and_tagged() -> None:
    thread = split_thread(SENTENCES, "x", first_tags=["#SSA01"], every_tags=["#RSNA24"])
    total = len(thread.parts)
    assert total == 4
    for number, part in enumerate(thread.parts, start=1):
        assert part.text.endswith(f" {number}/{total}")
        assert part.measurement.valid
        assert "#RSNA24" in part.text
        assert ("#SSA01" in part.text) == (number == 1)
        assert part.body.endswith(".")  # broken at sentence ends
    assert _words(thread) == SENTENCES.split()


def test_tag_already_in_the_part_is_not_repeated() -> None:
    thread = split_thread("Live from #rsna24 today", "x", every_tags=["#RSNA24"])
    assert thread.texts == ("Live from #rsna24 today",)


def test_line_breaks_inside_a_part_are_kept() -> None:
    thread = split_thread("First point.\nSecond point.", "x")
    assert thread.texts == ("First point.\nSecond point.",)


def test_cjk_counts_double_on_x_only() -> None:
    note = " ".join(["\u6f22\u5b57\u6f22\u5b57"] * 80)  # 400 chars, 720 weighted on X
    assert len(split_thread(note, "x").parts) == 3
    assert len(split_thread(note, "mastodon").parts) == 1


def test_urls_are_never_cut_and_count_23_on_x() -> None:
    url = "https://example.org/" + "p" * 200
    note = " ".join(["word"] * 50 + [url] + ["word"] * 50)
    thread = split_thread(note, "x")
    assert any(url in part.text for part in thread.parts)
    assert all(part.measurement.valid for part in thread.parts)


def test_overlong_word_is_cut_at_grapheme_boundaries() -> None:
    word = "\U0001f468\u200d\U0001f469\u200d\U0001f467" * 200  # one 'word', 200 families
    thread = split_thread(word, "bluesky")
    assert "".join(part.body for part in thread.parts) == word
    for part in thread.parts:
        assert part.measurement.valid
        assert not part.body.startswith("\u200d")


def test_overlong_url_on_bluesky_is_refused_not_cut() -> None:
    with pytest.raises(ThreadSplitError) as caught:
        split_thread("see https://example.org/" + "a" * 400, "bluesky")
    assert caught.value.code == "unsplittable"


def test_errors() -> None:
    with pytest.raises(ThreadSplitError) as empty:
        split_thread("   ", "x")
    assert empty.value.code == "empty_text"
    with pytest.raises(ValueError, match="not a valid hashtag"):
        split_thread("hi", "x", every_tags=["#12-3"])
    with pytest.raises(ValueError, match="unknown network"):
        split_thread("hi", "myspace")  # type: ignore[arg-type]
    with pytest.raises(ThreadSplitError) as many:
        split_thread(SENTENCES, "x", max_parts=2)
    assert many.value.code == "too_many_parts"


def test_numbering_width_grows_past_nine_parts() -> None:
    note = " ".join(["word"] * 800)
    thread = split_thread(note, "x")
    assert len(thread.parts) > 9
    assert thread.parts[-1].text.endswith(f" {len(thread.parts)}/{len(thread.parts)}")
    assert all(part.measurement.valid for part in thread.parts)


_WORDS = st.one_of(
    st.sampled_from(
        [
            "CT",
            "dose",
            "reduction.",
            "works!",
            "\u6f22\u5b57",
            "caf\u00e9",
            "\U0001f44d",
            "\U0001f468\u200d\U0001f469\u200d\U0001f467",
            "\U0001f1eb\U0001f1f7",
            "#RSNA24",
            "#ai",
            "@alice",
            "@bob@med.social",
            "@carol.bsky.social",
            "https://example.org/a",
            "doi.org/10.1000/x",
            "e\u0301",
            "\u0645\u0624\u062a\u0645\u0631",
            "p<0.05",
        ]
    ),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs")),
        min_size=1,
        max_size=12,
    ),
)
_SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "  ", "\n\n"])


@st.composite
def _notes(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORDS, min_size=1, max_size=160))
    pieces = []
    for word in words:
        pieces.append(word)
        pieces.append(draw(_SEPARATORS))
    return "".join(pieces)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_notes(), st.sampled_from(NETWORKS), st.booleans())
def test_property_parts_fit_and_words_survive_in_order(
    note: str, network: Network, tagged: bool
) -> None:
    every = ["#RSNA24"] if tagged else []
    first = ["#SSA01"] if tagged else []
    try:
        thread = split_thread(note, network, first_tags=first, every_tags=every)
    except ThreadSplitError as error:
        # Only a single entity longer than a whole post may be refused.
        assert error.code == "unsplittable"
        return
    for part in thread.parts:
        assert part.measurement.valid
        assert measure_one(part.text, network).valid
        assert part.text.startswith(part.body)
    # All non-space content, in order (an over-long word may be cut across parts).
    assert "".join(p.body for p in thread.parts).replace(" ", "").replace("\n", "") == (
        "".join(note.split())
    )
    if len(thread.parts) > 1 and tagged:
        for part in thread.parts:
            assert "rsna24" in [tag.casefold() for tag in extract_hashtags(part.text)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(["alpha", "beta.", "\u6f22", "#tag", "@x_y"]), min_size=1, max_size=300
    ),
    st.sampled_from(NETWORKS),
)
def test_property_whole_words_when_none_is_too_long(words: list[str], network: Network) -> None:
    note = " ".join(words)
    thread = split_thread(note, network, every_tags=["#RSNA24"])
    assert _words(thread) == words
