"""validate_text: the stable error codes every API maps to its error shape."""

from __future__ import annotations

import pytest

from server.domain.text.validation import MAX_TEXT_CHARS, TextValidationError, validate_text

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text",
    ["hello", "line\nline", "col\tcol", "\U0001f44d", "\u200d\u200f", "a" * MAX_TEXT_CHARS],
)
def test_accepts_ordinary_text_unchanged(text: str) -> None:
    assert validate_text(text) == text


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("a\x00b", 1),
        ("\ud800", 0),
        ("ok \udfff", 3),
        ("bell\x07", 4),
        ("cr\r\n", 2),
        ("esc\x1b[31m", 3),
        ("del\x7f", 3),
        ("c1\x85", 2),
    ],
)
def test_rejects_bad_characters(text: str, position: int) -> None:
    with pytest.raises(TextValidationError) as caught:
        validate_text(text)
    assert caught.value.code == "invalid_encoding"
    assert caught.value.position == position
    assert caught.value.field == "text"


def test_rejects_non_strings() -> None:
    with pytest.raises(TextValidationError) as caught:
        validate_text(b"bytes", field="note")
    assert (caught.value.code, caught.value.field) == ("invalid_encoding", "note")


def test_too_long_is_checked_in_code_points() -> None:
    with pytest.raises(TextValidationError) as caught:
        validate_text("a" * (MAX_TEXT_CHARS + 1))
    assert caught.value.code == "too_long"
    assert validate_text("\U0001f44d" * 10, max_chars=10) == "\U0001f44d" * 10
    with pytest.raises(TextValidationError) as small:
        validate_text("abcd", max_chars=3)
    assert small.value.code == "too_long"


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty(text: str) -> None:
    with pytest.raises(TextValidationError) as caught:
        validate_text(text)
    assert caught.value.code == "empty_text"
    assert validate_text(text, allow_empty=True) == text


def test_is_a_value_error_with_message() -> None:
    error = TextValidationError("too_long", "text is too long")
    assert isinstance(error, ValueError)
    assert str(error) == "text is too long"
