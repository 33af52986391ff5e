"""What every new post is screened against, read once per change instead of once per post.

Each post needs the conference's watch list and the hashtags of its running tweetchats.
Both change rarely and are read at every post, so a process keeps a copy per conference,
keyed by the conference's ``rules_stamp``: a random value written anew, in the same
transaction, by every change to the watch list or to which chats are running (see
:func:`restamp`). The stamp is read with the conference row each request loads anyway, so
a process whose copy is stale (another process changed the list) sees a new stamp and
reloads; a stamp is random, so rows reusing an id (a restored database, a test that
truncates) never match an old copy.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from sqlalchemy import select

from server.domain import watched_words as ww
from server.extensions import db
from server.models import Conference, Tweetchat, WatchedWord


def new_stamp() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class WallRules:
    """A conference's compiled watch list and its running chats ``(id, hashtag)``."""

    matcher: ww.Matcher
    running_chats: tuple[tuple[int, str], ...]


@lru_cache(maxsize=128)
def compiled(terms: tuple[tuple[str, str], ...]) -> ww.Matcher:
    """The matcher of a watch list (compiled once per distinct list)."""
    return ww.Matcher(ww.WatchedTerm(p, cast(ww.Action, a)) for p, a in terms)


def load_matcher(conference_id: int) -> ww.Matcher:
    rows = db.session.execute(
        select(WatchedWord.pattern, WatchedWord.action)
        .where(WatchedWord.conference_id == conference_id)
        .order_by(WatchedWord.id)
    ).all()
    return compiled(tuple((p, a) for p, a in rows))


def _load(conference_id: int) -> WallRules:
    chats = db.session.execute(
        select(Tweetchat.id, Tweetchat.hashtag)
        .where(
            Tweetchat.conference_id == conference_id,
            Tweetchat.current_question > 0,
            Tweetchat.ended_at.is_(None),
        )
        .order_by(Tweetchat.start_at, Tweetchat.id)
    ).all()
    return WallRules(load_matcher(conference_id), tuple((i, h) for i, h in chats))


#: (database, conference id) -> (stamp, rules). Small: one entry per conference in use.
_copies: dict[tuple[str, int], tuple[str, WallRules]] = {}


def rules_for(conference: Conference) -> WallRules:
    """The conference's rules as of the ``rules_stamp`` on the loaded row."""
    key = (db.engine.url.render_as_string(), conference.id)
    copy = _copies.get(key)
    if copy is not None and copy[0] == conference.rules_stamp:
        return copy[1]
    rules = _load(conference.id)
    _copies[key] = (conference.rules_stamp, rules)
    return rules


def restamp(conference: Conference) -> None:
    """Mark the conference's rules changed (in the transaction that changes them)."""
    conference.rules_stamp = new_stamp()
