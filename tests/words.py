"""Unique, harmless words for test posts.

A random UUID in a post's text can look like a patient identifier to the PHI check (``acc``
followed by digits reads as an accession number), which made fan-out tests fail at random.
These words are letters only, drawn from an alphabet without vowels, so they can never spell
a label, a number or a name the checks look for.
"""

from __future__ import annotations

import secrets

_ALPHABET = "bdfghjklmnpqrstvwxz"


def unique_word(length: int = 12) -> str:
    """A random lowercase word, different on every call for practical purposes."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
