"""The one place that reads the wall clock, so tests can fix it (``BACKCHANNEL_FAKE_NOW``)."""

from __future__ import annotations

import os
from datetime import UTC, datetime


def now() -> datetime:
    fake = os.environ.get("BACKCHANNEL_FAKE_NOW")
    if fake:
        return datetime.fromisoformat(fake).astimezone(UTC)
    return datetime.now(UTC)
