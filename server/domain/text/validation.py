"""The one gate every user-supplied post text passes before anything else touches it.

Counting, threading, PHI checks, storage and the live wall all assume well-formed text. A NUL
byte breaks PostgreSQL text columns, a lone surrogate cannot be encoded to UTF-8 (so it would
fail later, somewhere worse), control characters are invisible on the projector wall and can
smuggle terminal escapes into logs, and a megabyte "post" is a denial-of-service, not a post.
All APIs call :func:`validate_text` and map :class:`TextValidationError` to their error shape
using its stable ``code``. The text is never altered: a draft is the user's words.
"""

from __future__ import annotations

import re
from typing import Final, Literal

ErrorCode = Literal["invalid_encoding", "too_long", "empty_text"]

#: Default maximum, in code points. Far above any network's limit (LinkedIn: 3,000), so a
#: long note that will be threaded still fits; far below anything that hurts the server.
MAX_TEXT_CHARS: Final = 10_000

# C0 controls except TAB and LF, DEL and the C1 controls, and any surrogate code point (which a
# well-formed Python str from UTF-8 or JSON never holds unpaired).
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class TextValidationError(ValueError):
    """Rejected text. ``code`` is stable for API clients; ``position`` is a code-point index."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        field: str = "text",
        position: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message
        self.field = field
        self.position = position


def validate_text(
    text: object,
    *,
    max_chars: int = MAX_TEXT_CHARS,
    allow_empty: bool = False,
    field: str = "text",
) -> str:
    """Return ``text`` unchanged if it is acceptable post text, else raise.

    * ``empty_text``: not a string's worth of content (empty or only whitespace), unless
      ``allow_empty`` (e.g. an optional note).
    * ``too_long``: more than ``max_chars`` code points (checked first: it is O(1)).
    * ``invalid_encoding``: not a ``str``, or holds NUL, another control character except
      ``\\n`` and ``\\t`` (``\\r`` included: clients send ``\\n``), or a lone surrogate.
    """
    if not isinstance(text, str):
        raise TextValidationError(
            "invalid_encoding", f"{field} must be a string of Unicode text", field=field
        )
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    if len(text) > max_chars:
        raise TextValidationError(
            "too_long",
            f"{field} is {len(text)} characters long; the maximum is {max_chars}",
            field=field,
            position=max_chars,
        )
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        char = bad.group()
        what = "a lone surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
        raise TextValidationError(
            "invalid_encoding",
            f"{field} contains {what} (U+{ord(char):04X}) at position {bad.start()}",
            field=field,
            position=bad.start(),
        )
    if not allow_empty and not text.strip():
        raise TextValidationError("empty_text", f"{field} is empty", field=field)
    return text
