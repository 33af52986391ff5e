"""Where the shared, read-only fixture files live (beside the checkout, never copied in)."""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SCHEDULES = SHARED / "data" / "schedules"
REPO = Path(__file__).resolve().parent.parent


def schedule_bytes(name: str) -> bytes:
    """The bytes of one real schedule file from ``shared/data/schedules``."""
    return (SCHEDULES / name).read_bytes()
