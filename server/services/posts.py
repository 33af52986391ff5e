"""Posting to the live walls: validated, idempotent, sequenced, published after commit.

A post is acknowledged only once it is committed. The same ``(author, idempotency key)``
returns the same post; the same key with another body is refused. A visible post takes the
conference's next sequence number in its insert transaction; removals take one too, so a
client that rejoins with the last number it saw gets both what was added and what was
removed while it was away.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, and_, bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from server.clock import now
from server.domain.text import measure
from server.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import Conference, Post, Talk, User
from server.services import compose, connecting, moderation, uploads
from server.services.events import queue_event
from server.services.programme import valid_id

MAX_POST_CHARS = 5_000
MAX_KEY_LENGTH = 255
DOUBLE_TAP_WINDOW = timedelta(seconds=10)
REPLAY_LIMIT = 500
#: Posts published by two writers can reach a client out of order; replaying a few before
#: the client's cursor (it de-duplicates by id) closes that gap.
REPLAY_OVERLAP = 32


def conference_room(conference: Conference) -> str:
    return f"conference:{conference.slug}"


def session_room(talk_id: int) -> str:
    return f"session:{talk_id}"


def rooms_of(post: Post, conference: Conference) -> list[str]:
    rooms = [conference_room(conference)]
    if post.talk_id is not None:
        rooms.append(session_room(post.talk_id))
    if post.tweetup_id is not None:
        rooms.append(f"tweetup:{post.tweetup_id}")
    if post.chat_id is not None:
        rooms.append(f"chat:{post.chat_id}")
    return rooms


def post_wire(post: Post) -> dict[str, Any]:
    """The post as clients see it (built once per post, sent to every room it is in)."""
    author = post.author
    return {
        "id": post.id,
        "seq": post.seq,
        "text": post.text,
        "session_id": post.talk_id,
        "status": post.status,
        "created_at": post.created_at.isoformat(),
        "author": {
            "id": author.id,
            "username": author.username,
            "display_name": author.display_name,
            "handles": {h.network: h.handle for h in author.handles},
        },
        "images": [uploads.image_wire(image) for image in post.images],
        "tweetup_id": post.tweetup_id,
        "chat_id": post.chat_id,
        "question": post.chat_question,
        "reply_to_id": post.reply_to_id,
    }


def check_idempotency_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise AppError(
            "Send an Idempotency-Key header (a UUID per post) so a retry cannot post twice.",
            code="idempotency_key_required",
        )
    if len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise AppError(
            f"Idempotency keys are printable ASCII, at most {MAX_KEY_LENGTH} characters.",
            code="invalid_idempotency_key",
        )
    return key


@dataclass(frozen=True)
class PostRequest:
    text: str
    talk_id: int | None
    confirm_findings: bool = False
    allow_duplicate: bool = False
    #: Uploads of the author to attach, in order (at most four).
    image_ids: tuple[int, ...] = ()
    #: A tweetup's or a chat's room, the question answered, the post replied to.
    tweetup_id: int | None = None
    chat_id: int | None = None
    question: int | None = None
    reply_to_id: int | None = None

    def fingerprint(self) -> str:
        fields: dict[str, Any] = {"text": self.text, "session_id": self.talk_id}
        if self.image_ids:  # absent when empty: keys of image-less posts hash as before
            fields["image_ids"] = list(self.image_ids)
        for name in ("tweetup_id", "chat_id", "question", "reply_to_id"):
            if getattr(self, name) is not None:  # likewise
                fields[name] = getattr(self, name)
        body = json.dumps(fields, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()


def _existing(user: User, key: str) -> Post | None:
    return db.session.scalar(
        select(Post).where(Post.author_id == user.id, Post.idempotency_key == key)
    )


#: The author's post with this key, and their posts of the same text within the double-tap
#: window: both checks in one indexed query (each branch has an ``author_id`` index).
_PRIOR = select(Post.id, Post.idempotency_key).where(
    Post.author_id == bindparam("author"),
    or_(
        Post.idempotency_key == bindparam("key"),
        and_(
            Post.created_at >= bindparam("since"),
            Post.text == bindparam("text"),
            Post.status.in_(("visible", "pending", "held")),
        ),
    ),
)


@dataclass(frozen=True)
class Prior:
    """What the author already posted that matters to a new post."""

    same_key: int | None  # the post this idempotency key made
    same_text: int | None  # a post of the same text within the double-tap window


def _prior(user: User, key: str, request: PostRequest) -> Prior:
    rows = db.session.execute(
        _PRIOR,
        {"author": user.id, "key": key, "since": now() - DOUBLE_TAP_WINDOW, "text": request.text},
    ).all()
    same_key = next((pid for pid, k in rows if k == key), None)
    same_text = next((pid for pid, k in rows if k != key), None)
    return Prior(same_key, same_text)


def _replay(post: Post, request: PostRequest) -> Post:
    if post.request_hash != request.fingerprint():
        raise ValidationFailed(
            "This Idempotency-Key was used for a different post; use a new key per post.",
            code="idempotency_key_reused",
        )
    return post


def _check_text(text: str) -> str:
    text = compose.checked_text(text, allow_empty=True)
    if not text.strip() or not text.strip("\u200b\u200c\u200d\u2060\ufeff \n\t"):
        raise ValidationFailed("Write something before posting.", code="empty_post", field="text")
    if len(text) > MAX_POST_CHARS or not any(m.valid for m in measure(text).values()):
        raise ValidationFailed(
            "This post is too long for every network.", code="too_long", field="text"
        )
    return text


def _check_talk(conference: Conference, talk_id: int | None) -> Talk | None:
    if talk_id is None:
        return None
    talk = db.session.get(Talk, talk_id)
    if talk is None or talk.conference_id != conference.id:
        raise NotFound(f"There is no session {talk_id} in this conference.")
    if talk.status == "cancelled":
        raise Conflict("This session was cancelled.", code="session_cancelled", field="session_id")
    if talk.policy == "opted_out":
        raise Forbidden(
            "The speaker of this session asked not to be posted about.",
            code="speaker_opted_out",
        )
    return talk


def _check_duplicate(request: PostRequest, recent: int | None) -> None:
    if request.allow_duplicate:
        return
    if recent is not None:
        raise Conflict(
            "You just posted the same text. Send allow_duplicate: true to post it again.",
            code="duplicate_post",
            details={"post_id": recent},
        )


def next_seq(conference_id: int) -> int:
    """Take the conference's next number; the row lock orders concurrent writers."""
    return int(db.session.execute(_NEXT_SEQ, {"conference": conference_id}).scalar_one())


_conferences = cast(Table, Conference.__table__)
#: A Core statement built once (the ORM's bulk-update machinery is not needed here).
_NEXT_SEQ = (
    update(_conferences)
    .where(_conferences.c.id == bindparam("conference"))
    .values(post_seq=_conferences.c.post_seq + 1)
    .returning(_conferences.c.post_seq)
)


def check_post(
    user: User, conference: Conference, request: PostRequest, prior: Prior
) -> tuple[str, Talk | None, list[compose.Finding]]:
    """Validate and authorise; returns the text, the session and the confirmed findings."""
    text = _check_text(request.text)
    talk = _check_talk(conference, request.talk_id)
    if request.image_ids and talk is not None and talk.policy == "no_photos":
        raise Forbidden(
            "This session asks for no photos; post your text without images.",
            code="no_photos",
            field="image_ids",
        )
    uploads.check_images(user, request.image_ids)
    findings = [f for f in compose.check(text, talk=talk, user=user) if f.kind == "phi"]
    if findings and not request.confirm_findings:
        raise ValidationFailed(
            "This looks like it may identify a patient. Check the highlighted parts; "
            "send confirm_findings: true to post anyway.",
            code="phi_suspected",
            details={"findings": [f.as_dict() for f in findings]},
        )
    _check_duplicate(request, prior.same_text)
    return text, talk, findings


class Created(NamedTuple):
    """A new or replayed post and its wire form (built once: published and answered)."""

    post: Post
    replayed: bool
    wire: dict[str, Any]


def _replayed(post: Post, request: PostRequest) -> Created:
    return Created(_replay(post, request), True, post_wire(post))


def do_create_post(
    user: User, conference: Conference, request: PostRequest, key: str
) -> Created:
    """Create the post (or return the one this key made)."""
    key = check_idempotency_key(key)
    prior = _prior(user, key, request)
    if prior.same_key is not None:
        return _replayed(db.session.get_one(Post, prior.same_key), request)
    moderation.check_author(user)  # 403 blocked
    text, talk, findings = check_post(user, conference, request, prior)
    placement = connecting.check_placement(
        user,
        conference,
        text,
        tweetup_id=request.tweetup_id,
        chat_id=request.chat_id,
        question=request.question,
        reply_to_id=request.reply_to_id,
    )
    screening = moderation.screen_text(conference, text)  # 422 blocked_term
    embargoed = bool(
        talk and talk.policy == "embargoed" and talk.embargo_until and now() < talk.embargo_until
    )
    status = moderation.initial_status(conference, screening, embargoed)
    conference_id = conference.id
    db.session.commit()  # end any read transaction: the write below starts fresh and short
    post = Post(
        conference_id=conference_id,
        talk_id=talk.id if talk else None,
        author_id=user.id,
        text=text,
        status=status,
        idempotency_key=key,
        request_hash=request.fingerprint(),
        confirmed_findings=sorted({f.rule for f in findings}),
        created_at=now(),
        tweetup_id=placement.tweetup_id,
        chat_id=placement.chat_id,
        chat_question=placement.question,
        reply_to_id=placement.reply_to_id,
        **moderation.review_fields(screening, status, (f.rule for f in findings)),
    )
    try:
        if status == "visible":
            post.seq = next_seq(conference_id)
            post.published_at = post.created_at
        db.session.add(post)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # the same key committed by a concurrent retry
        existing = _existing(user, key)
        if existing is None:
            raise
        return _replayed(existing, request)
    if request.image_ids:
        uploads.claim_images(user, post.id, request.image_ids)
        db.session.expire(post, ["images"])
    else:
        set_committed_value(post, "images", [])  # known empty: no query to find out
    wire = post_wire(post)
    if status == "visible":
        publish_posts(db.session.get_one(Conference, conference_id), [post], [wire])
    moderation.queue_review(db.session.get_one(Conference, conference_id), post)
    db.session.commit()
    return Created(post, False, wire)


def publish_posts(
    conference: Conference, posts: list[Post], wires: list[dict[str, Any]] | None = None
) -> None:
    """Queue a ``posts`` event per room (sent after commit)."""
    by_room: dict[str, list[dict[str, Any]]] = {}
    if wires is None:
        wires = [post_wire(post) for post in posts]
    for post, wire in zip(posts, wires, strict=True):
        for room in rooms_of(post, conference):
            by_room.setdefault(room, []).append(wire)
    for room, items in by_room.items():
        queue_event("posts", {"room": room, "posts": items}, [room])


def do_remove_post(post: Post, status: str = "deleted") -> None:
    """Hide or delete; clients in its rooms get ``post_removed`` (live and on catch-up)."""
    remove_post(post, status)  # a no-op when it is so already
    db.session.commit()


def remove_post(post: Post, status: str = "deleted") -> None:
    """:func:`do_remove_post` inside the caller's transaction (the caller commits)."""
    if post.status in ("hidden", "deleted") and status == post.status:
        return
    was_public = post.status == "visible"
    post.status = status
    conference = db.session.get_one(Conference, post.conference_id)
    if was_public:
        post.removed_seq = next_seq(conference.id)
        for room in rooms_of(post, conference):
            queue_event(
                "post_removed", {"room": room, "id": post.id, "seq": post.removed_seq}, [room]
            )


def get_post(post_id: int) -> Post:
    post = db.session.get(Post, post_id) if valid_id(post_id) else None
    if post is None or post.status == "deleted":
        raise NotFound(f"There is no post {post_id}.")
    return post


def do_delete_own_post(user: User, post_id: int) -> None:
    post = db.session.get(Post, post_id) if valid_id(post_id) else None
    if post is None or post.author_id != user.id:
        raise NotFound(f"There is no post {post_id} of yours.")
    do_remove_post(post, "deleted")


@dataclass(frozen=True)
class Catchup:
    latest: int
    posts: list[Post]
    removed: list[tuple[int, int]]  # (post id, removal seq)
    resync: bool = False


@dataclass(frozen=True)
class RoomScope:
    """What a room shows: a conference's wall, or the part of it in a session, a tweetup or
    a tweetchat."""

    conference: Conference
    talk_id: int | None = None
    tweetup_id: int | None = None
    chat_id: int | None = None


def room_scope(room: str, user: User | None = None) -> RoomScope:
    """Like :func:`parse_room`, for every kind of room (hidden tweetups: organizers and the
    proposer only)."""
    kind, _, ident = room.partition(":")
    if kind in ("tweetup", "chat") and ident.isascii() and ident.isdigit() and len(ident) < 11:
        if kind == "tweetup":
            tweetup = connecting.visible_tweetup(int(ident), user)
            conference = db.session.get_one(Conference, tweetup.conference_id)
            return RoomScope(conference, tweetup_id=tweetup.id)
        chat = connecting.get_chat(int(ident))
        return RoomScope(db.session.get_one(Conference, chat.conference_id), chat_id=chat.id)
    conference, talk_id = parse_room(room)
    return RoomScope(conference, talk_id=talk_id)


def parse_room(room: str) -> tuple[Conference, int | None]:
    """The conference (and session id) a room name designates; NotFound otherwise."""
    kind, _, ident = room.partition(":")
    if kind == "conference":
        conference = db.session.scalar(select(Conference).where(Conference.slug == ident))
        if conference is None:
            raise NotFound(f"There is no conference {ident!r}.")
        return conference, None
    if kind == "session" and ident.isascii() and ident.isdigit():
        # "²" is a digit to str.isdigit but not to int(); ids past 2**31 overflow the column.
        talk = db.session.get(Talk, int(ident)) if valid_id(int(ident)) else None
        if talk is None:
            raise NotFound(f"There is no session {ident}.")
        return db.session.get_one(Conference, talk.conference_id), talk.id
    raise NotFound(f"There is no room {room!r}.")


def catch_up(
    conference: Conference,
    talk_id: int | None,
    since: int | None,
    *,
    limit: int = REPLAY_LIMIT,
    tweetup_id: int | None = None,
    chat_id: int | None = None,
) -> Catchup:
    """What a client that saw up to ``since`` missed, or ``resync`` when too much."""
    latest = conference.post_seq
    if since is None:
        return Catchup(latest, [], [])
    if since < 0 or since > latest:
        raise ValidationFailed(
            f"'since' must be between 0 and the latest sequence number ({latest}); "
            "drop your cursor and reload.",
            code="invalid_resume_point",
            field="since",
        )
    if latest - since > limit:
        return Catchup(latest, [], [], resync=True)
    start = max(0, since - REPLAY_OVERLAP)
    posts = visible_posts(
        conference,
        talk_id,
        after=start,
        limit=limit + REPLAY_OVERLAP,
        tweetup_id=tweetup_id,
        chat_id=chat_id,
    )
    removed_query = select(Post.id, Post.removed_seq).where(
        Post.conference_id == conference.id,
        Post.removed_seq > start,
        Post.status.in_(("hidden", "deleted")),
    )
    if talk_id is not None:
        removed_query = removed_query.where(Post.talk_id == talk_id)
    if tweetup_id is not None:
        removed_query = removed_query.where(Post.tweetup_id == tweetup_id)
    if chat_id is not None:
        removed_query = removed_query.where(Post.chat_id == chat_id)
    removed = [
        (pid, rseq) for pid, rseq in db.session.execute(removed_query) if rseq is not None
    ]
    return Catchup(latest, posts, removed)


def visible_posts(
    conference: Conference,
    talk_id: int | None,
    *,
    after: int,
    limit: int,
    tweetup_id: int | None = None,
    chat_id: int | None = None,
) -> list[Post]:
    query = select(Post).where(
        Post.conference_id == conference.id, Post.status == "visible", Post.seq > after
    )
    if talk_id is not None:
        query = query.where(Post.talk_id == talk_id)
    if tweetup_id is not None:
        query = query.where(Post.tweetup_id == tweetup_id)
    if chat_id is not None:
        query = query.where(Post.chat_id == chat_id)
    return list(db.session.scalars(query.order_by(Post.seq).limit(limit)))
