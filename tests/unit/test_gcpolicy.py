"""The server's garbage-collector policy: start-up objects leave the collector's scans."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from server.gcpolicy import freeze_startup_objects


class Node:
    me: object


@pytest.fixture()
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the suite runs with the interpreter's defaults


def test_objects_alive_at_start_up_are_frozen_and_garbage_is_not(unfrozen: None) -> None:
    survivor = [object() for _ in range(1000)]
    cycle = Node()
    cycle.me = cycle  # garbage only a collection can free
    gone = weakref.ref(cycle)
    del cycle

    frozen = freeze_startup_objects()

    assert gone() is None  # collected first, not kept frozen for the process's life
    assert frozen >= 1000
    assert not any(o is survivor for o in gc.get_objects())  # out of the collector's lists
    # What it returns is the count it froze (frozen objects that die since leave the count).
    assert 0 <= frozen - gc.get_freeze_count() < 100
    before = gc.get_freeze_count()
    later = [[] for _ in range(1000)]  # lists are tracked by the collector; object()s are not
    assert freeze_startup_objects() >= before + 900  # a later call adds what came since
    del later
