"""Tweetchats: scheduling with prepared questions, releasing them one by one, editing,
transcripts.

Releasing a question is a write (the chat's ``current_question`` and the question's
``released_at``) followed, after commit, by a ``question`` event to the room ``chat:<id>``;
a client that was away reads the chat (GET) when it rejoins, so no release is missed.
Editing the chat (its title, description, hashtag, times, or the questions not released yet)
sends ``chat_updated`` the same way.

Edits and releases both write the chat's row with an ``UPDATE ... WHERE current_question =
<what was checked>``: an edit checked against a chat that a release has just started is
checked again (and refused if it moves the start or the hashtag), and on PostgreSQL the
row lock makes a release wait for an edit of the questions to commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from server.clock import now
from server.domain.connecting import (
    MAX_QUESTIONS,
    TranscriptLine,
    TranscriptSection,
    question_text,
    transcript_markdown,
)
from server.domain.text import normalize_hashtag
from server.errors import Conflict, Forbidden, ValidationFailed
from server.extensions import db
from server.models import Conference, Post, Tweetchat, TweetchatQuestion, User
from server.services import wall_rules
from server.services.connecting import ORGANIZER_ROLES, chat_is_live, get_chat
from server.services.events import queue_event
from server.services.programme import MAX_YEAR, MIN_YEAR
from server.services.tweetups import person_wire

MAX_TRANSCRIPT_POSTS = 5_000
#: How often an edit is checked again when a release or another edit got in first.
_EDIT_ATTEMPTS = 3


def chat_room(chat_id: int) -> str:
    return f"chat:{chat_id}"


def question_wire(question: TweetchatQuestion, conference: Conference) -> dict[str, Any]:
    return {
        "number": question.number,
        "text": question.text,
        "released_at": _local(conference, question.released_at)
        if question.released_at
        else None,
    }


def _local(conference: Conference, when: datetime) -> str:
    return when.astimezone(ZoneInfo(conference.timezone)).isoformat()


def chat_state(chat: Tweetchat) -> str:
    if chat.ended_at is not None:
        return "ended"
    return "live" if chat.current_question > 0 else "scheduled"


def wire(chat: Tweetchat, user: User | None, public_url: str = "") -> dict[str, Any]:
    """The chat; unreleased questions only for the host (and organizers)."""
    conference = db.session.get_one(Conference, chat.conference_id)
    hosting = _can_host(user, chat)
    released = [q for q in chat.questions if q.number <= chat.current_question]
    current = released[-1] if released else None
    return {
        "id": chat.id,
        "conference": conference.slug,
        "title": chat.title,
        "description": chat.description,
        "hashtag": chat.hashtag,
        "start": _local(conference, chat.start_at),
        "end": _local(conference, chat.end_at),
        "host": person_wire(chat.host) if chat.host else None,
        "state": chat_state(chat),
        "question_count": len(chat.questions),
        "current_question": question_wire(current, conference) if current else None,
        "questions": [
            question_wire(q, conference) for q in (chat.questions if hosting else released)
        ],
        "can_host": hosting,
        "room": chat_room(chat.id),
        "url": f"{public_url}/chats/{chat.id}",
    }


def _can_host(user: User | None, chat: Tweetchat) -> bool:
    return user is not None and (user.id == chat.host_id or user.role in ORGANIZER_ROLES)


def list_chats(conference: Conference) -> list[Tweetchat]:
    return list(
        db.session.scalars(
            select(Tweetchat)
            .where(Tweetchat.conference_id == conference.id)
            .order_by(Tweetchat.start_at, Tweetchat.id)
        )
    )


@dataclass(frozen=True)
class ChatInput:
    title: str
    hashtag: str
    start: datetime
    end: datetime
    questions: tuple[str, ...]
    description: str | None = None


def _check_year(name: str, when: datetime) -> None:
    """Instants outside these years are typos (and overflow near the ends of datetime)."""
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        raise ValidationFailed(
            f"{name} must fall between the years {MIN_YEAR} and {MAX_YEAR}.",
            code="invalid_times",
            field=name,
        )


def _check_times(start: datetime, end: datetime) -> None:
    _check_year("start", start)
    _check_year("end", end)
    if end <= start:
        raise ValidationFailed(
            "A tweetchat ends after it starts.", code="invalid_times", field="end"
        )


def _check_hashtag(value: str) -> str:
    """The hashtag without ``#``."""
    tag = normalize_hashtag(value)
    if tag is None:
        raise ValidationFailed(
            f"{value!r} is not one hashtag.", code="invalid_hashtag", field="hashtag"
        )
    return tag[1:]


def _check_questions(questions: Sequence[str]) -> list[str]:
    """The questions, trimmed and labelled Q1..Qn."""
    trimmed = [q.strip() for q in questions]
    if not trimmed or len(trimmed) > MAX_QUESTIONS or not all(trimmed):
        raise ValidationFailed(
            f"Prepare 1 to {MAX_QUESTIONS} questions, none empty.", field="questions"
        )
    return [question_text(n, q) for n, q in enumerate(trimmed, start=1)]


def _check(data: ChatInput) -> tuple[str, list[str]]:
    _check_times(data.start, data.end)
    return _check_hashtag(data.hashtag), _check_questions(data.questions)


def do_schedule(user: User, conference: Conference, data: ChatInput) -> Tweetchat:
    """Anyone signed in may host a tweetchat (as on the networks)."""
    hashtag, questions = _check(data)
    if not data.title.strip():
        raise ValidationFailed("Give the tweetchat a title.", field="title")
    chat = Tweetchat(
        conference_id=conference.id,
        host_id=user.id,
        title=data.title.strip(),
        description=(data.description or "").strip() or None,
        hashtag=hashtag,
        start_at=data.start,
        end_at=data.end,
        created_at=now(),
        questions=[TweetchatQuestion(number=n, text=q) for n, q in enumerate(questions, 1)],
    )
    db.session.add(chat)
    db.session.commit()
    return chat


def _require_open(chat: Tweetchat) -> None:
    if chat.ended_at is not None:
        raise Conflict("This tweetchat has ended; it is kept as it was.", code="chat_ended")


def _claim(chat_id: int, released: int, values: dict[str, Any] | None = None) -> bool:
    """Write the chat's row if no question was released and the chat was not ended since
    ``released`` was read (the row is locked until commit on PostgreSQL)."""
    db.session.commit()  # the checks' read ends: the write starts fresh (SQLite's lock)
    statement = update(Tweetchat).where(
        Tweetchat.id == chat_id,
        Tweetchat.current_question == released,
        Tweetchat.ended_at.is_(None),
    )
    values = values or {"current_question": released}
    claimed = db.session.execute(statement.values(**values)).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        db.session.rollback()
    return bool(claimed == 1)


def _reread(chat_id: int) -> Tweetchat:
    chat = get_chat(chat_id)
    db.session.refresh(chat)
    return chat


def _announce_update(chat: Tweetchat) -> None:
    """``chat_updated`` to the room, after commit: what everyone may see of the chat."""
    conference = db.session.get_one(Conference, chat.conference_id)
    room = chat_room(chat.id)
    queue_event(
        "chat_updated",
        {
            "room": room,
            "chat_id": chat.id,
            "title": chat.title,
            "description": chat.description,
            "hashtag": chat.hashtag,
            "start": _local(conference, chat.start_at),
            "end": _local(conference, chat.end_at),
            "state": chat_state(chat),
            "question_count": len(chat.questions),
        },
        [room],
    )


def _question_texts(chat: Tweetchat, questions: list[str]) -> list[str]:
    """The new list, labelled; released questions must be given back as they were asked."""
    released = chat.current_question
    if len(questions) < released:
        raise Conflict(
            "Released questions cannot be removed.", code="question_released", field="questions"
        )
    for number, text in enumerate(questions[:released], start=1):
        if question_text(number, text.strip()) != chat.questions[number - 1].text:
            raise Conflict(
                f"Q{number} was already asked; it cannot change.",
                code="question_released",
                field="questions",
            )
    return _check_questions(questions)


def do_update_questions(user: User, chat: Tweetchat, questions: list[str]) -> Tweetchat:
    """Rewrite the questions not released yet (released ones stay as they were asked)."""
    _require_host(user, chat)
    chat_id = chat.id
    for _ in range(_EDIT_ATTEMPTS):
        _require_open(chat)
        released = chat.current_question
        texts = _question_texts(chat, questions)
        if texts == [q.text for q in chat.questions]:
            return chat  # as they are (a retry): nothing to write or announce
        if not _claim(chat_id, released):  # a release or the end got in first: check again
            chat = _reread(chat_id)
            continue
        chat = _reread(chat_id)
        for question in list(chat.questions):
            if question.number > released:
                chat.questions.remove(question)
        db.session.flush()
        for number, text in enumerate(texts, start=1):
            if number > released:
                chat.questions.append(TweetchatQuestion(number=number, text=text))
        db.session.flush()
        _announce_update(chat)
        db.session.commit()
        return chat
    raise Conflict("The tweetchat changed while saving; try again.", code="chat_changed")


def _changed_values(chat: Tweetchat, changes: dict[str, Any]) -> dict[str, Any]:
    """The columns to write for ``changes``, checked against the chat as it is now.

    ``start`` alone moves the chat (its length stays); ``end`` alone changes its length.
    A running chat keeps its start and its hashtag; an ended one changes no more.
    """
    _require_open(chat)
    started = chat.current_question > 0
    values: dict[str, Any] = {}
    if "title" in changes:
        title = str(changes["title"]).strip()
        if not title:
            raise ValidationFailed("Give the tweetchat a title.", field="title")
        values["title"] = title
    if "description" in changes:
        values["description"] = (changes["description"] or "").strip() or None
    if "hashtag" in changes:
        hashtag = _check_hashtag(str(changes["hashtag"]))
        if hashtag != chat.hashtag and started:
            raise Conflict(
                "The chat has started: its hashtag is in the answers already and stays.",
                code="chat_started",
                field="hashtag",
            )
        values["hashtag"] = hashtag
    start: datetime = changes.get("start", chat.start_at)
    _check_year("start", start)
    end: datetime = changes.get("end", chat.end_at + (start - chat.start_at))
    _check_times(start, end)
    if start != chat.start_at and started:
        raise Conflict(
            "The chat is running: its start cannot move (its end can).",
            code="chat_started",
            field="start",
        )
    if "start" in changes or "end" in changes:
        values["start_at"], values["end_at"] = start, end
    return {name: value for name, value in values.items() if getattr(chat, name) != value}


def do_update(user: User, chat_id: int, changes: dict[str, Any]) -> Tweetchat:
    """Edit the title, description, hashtag and times (the host or an organizer); see
    :func:`_changed_values` for what may change when. Nothing is written on a refusal."""
    chat = get_chat(chat_id)
    _require_host(user, chat)
    for _ in range(_EDIT_ATTEMPTS):
        values = _changed_values(chat, changes)
        if not values:
            return chat
        if not _claim(chat_id, chat.current_question, values):
            chat = _reread(chat_id)  # released or ended meanwhile: check again
            continue
        chat = _reread(chat_id)
        _announce_update(chat)
        db.session.commit()
        return chat
    raise Conflict("The tweetchat changed while saving; try again.", code="chat_changed")


def _require_host(user: User, chat: Tweetchat) -> None:
    if not _can_host(user, chat):
        raise Forbidden("Only the host of this tweetchat (or an organizer) runs it.")


def do_release_next(user: User, chat_id: int, expected: int | None = None) -> TweetchatQuestion:
    """Release the next question. ``expected`` (the number the host means to release) makes
    a double tap or a retry harmless: releasing the already-current question again is a
    no-op that answers with it."""
    chat = get_chat(chat_id)
    _require_host(user, chat)
    if expected is not None and expected == chat.current_question and expected > 0:
        return chat.questions[expected - 1]
    if chat.ended_at is not None:
        raise Conflict("This tweetchat has ended.", code="chat_ended")
    number = chat.current_question + 1
    if number > len(chat.questions):
        raise Conflict("Every question has been released.", code="no_more_questions")
    if expected is not None and expected != number:
        raise Conflict(
            f"The next question is Q{number}, not Q{expected}.",
            code="question_out_of_order",
            details={"next": number},
        )
    db.session.commit()
    claimed = db.session.execute(
        update(Tweetchat)
        .where(Tweetchat.id == chat_id, Tweetchat.current_question == number - 1)
        .values(current_question=number)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:  # another release won the race
        db.session.rollback()
        raise Conflict("Another question was released just now.", code="question_out_of_order")
    chat = db.session.get_one(Tweetchat, chat_id)
    db.session.refresh(chat)
    question = chat.questions[number - 1]
    question.released_at = now()
    conference = db.session.get_one(Conference, chat.conference_id)
    if number == 1:
        wall_rules.restamp(conference)  # the chat is running: its hashtag now places posts
    room = chat_room(chat.id)
    queue_event(
        "question",
        {"room": room, "chat_id": chat.id, "question": question_wire(question, conference),
         "question_count": len(chat.questions)},
        [room],
    )
    db.session.commit()
    return question


def do_end(user: User, chat_id: int) -> Tweetchat:
    chat = get_chat(chat_id)
    _require_host(user, chat)
    if chat.ended_at is None:
        chat.ended_at = now()
        wall_rules.restamp(db.session.get_one(Conference, chat.conference_id))
        room = chat_room(chat.id)
        queue_event("chat_ended", {"room": room, "chat_id": chat.id}, [room])
        db.session.commit()
    return chat


def is_live(chat: Tweetchat) -> bool:
    return chat_is_live(chat)


# ---------------------------------------------------------------------------------------
# Transcript


def _chat_posts(chat: Tweetchat) -> list[Post]:
    return list(
        db.session.scalars(
            select(Post)
            .where(Post.chat_id == chat.id, Post.status == "visible")
            .order_by(Post.seq)
            .limit(MAX_TRANSCRIPT_POSTS)
        )
    )


def _handle(user: User) -> str:
    for network in ("x", "bluesky", "mastodon", "threads", "linkedin"):
        for h in user.handles:
            if h.network == network:
                return h.handle if h.handle.startswith("@") or "." in h.handle else f"@{h.handle}"
    return f"@{user.username}"


def _threaded(posts: list[Post]) -> list[tuple[Post, int]]:
    """Posts in order, each reply right after the post it replies to (depth for indenting)."""
    ids = {p.id for p in posts}
    children: dict[int, list[Post]] = {}
    roots: list[Post] = []
    for post in posts:
        if post.reply_to_id is not None and post.reply_to_id in ids:
            children.setdefault(post.reply_to_id, []).append(post)
        else:
            roots.append(post)
    out: list[tuple[Post, int]] = []

    def walk(post: Post, depth: int) -> None:
        out.append((post, depth))
        for child in children.get(post.id, []):
            walk(child, min(depth + 1, 6))

    for root in roots:
        walk(root, 0)
    return out


def transcript(chat: Tweetchat) -> dict[str, Any]:
    """By question in order (released ones), each with its answers in order and their replies
    threaded under them; posts before any answer mark go to "Other posts"."""
    conference = db.session.get_one(Conference, chat.conference_id)
    posts = _chat_posts(chat)
    groups: dict[int | None, list[Post]] = {}
    for post in posts:
        groups.setdefault(post.chat_question, []).append(post)

    def entry(post: Post, depth: int) -> dict[str, Any]:
        return {
            "id": post.id,
            "seq": post.seq,
            "text": post.text,
            "created_at": _local(conference, post.created_at),
            "reply_to_id": post.reply_to_id,
            "depth": depth,
            "author": {
                "username": post.author.username,
                "display_name": post.author.display_name,
                "handle": _handle(post.author),
                "handles": {h.network: h.handle for h in post.author.handles},
            },
        }

    sections = []
    for question in chat.questions:
        if question.number > chat.current_question:
            continue
        sections.append(
            {
                **question_wire(question, conference),
                "answers": [entry(p, d) for p, d in _threaded(groups.get(question.number, []))],
            }
        )
    return {
        "chat": {
            "id": chat.id,
            "title": chat.title,
            "description": chat.description,
            "hashtag": chat.hashtag,
            "conference": conference.slug,
            "start": _local(conference, chat.start_at),
            "end": _local(conference, chat.end_at),
            "state": chat_state(chat),
            "host": person_wire(chat.host) if chat.host else None,
        },
        "questions": sections,
        "other": [entry(p, d) for p, d in _threaded(groups.get(None, []))],
        "participants": len({p.author_id for p in posts}),
        "posts": len(posts),
    }


def transcript_md(data: dict[str, Any]) -> str:
    def lines(items: list[dict[str, Any]]) -> list[TranscriptLine]:
        return [
            TranscriptLine(
                author=i["author"]["display_name"],
                handle=i["author"]["handle"],
                time=i["created_at"][11:16],
                text=i["text"],
                depth=i["depth"],
            )
            for i in items
        ]

    chat = data["chat"]
    sections = [TranscriptSection(q["text"], lines(q["answers"])) for q in data["questions"]]
    if data["other"]:
        sections.append(TranscriptSection("Other posts", lines(data["other"])))
    subtitle = (
        f"#{chat['hashtag']} · {chat['start'][:10]} "
        f"{chat['start'][11:16]}\u2013{chat['end'][11:16]}"
        f" · {data['posts']} posts by {data['participants']} people"
    )
    return transcript_markdown(chat["title"], subtitle, sections, chat["description"])
