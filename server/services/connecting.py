"""Where a post goes besides the conference's wall: a tweetup's room, a tweetchat (grouped
under a question), a reply's thread. Checked before the post is written, in the same
request, so a refused placement writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.connecting import has_hashtag, parse_answer
from server.errors import NotFound, ValidationFailed
from server.extensions import db
from server.models import Conference, Post, Tweetchat, Tweetup, User
from server.services import wall_rules

ORGANIZER_ROLES = ("organizer",)


@dataclass(frozen=True)
class Placement:
    tweetup_id: int | None = None
    chat_id: int | None = None
    question: int | None = None
    reply_to_id: int | None = None


def can_see_hidden(user: User | None, tweetup: Tweetup) -> bool:
    return user is not None and (
        user.role in ORGANIZER_ROLES or tweetup.proposer_id == user.id
    )


def visible_tweetup(tweetup_id: int, user: User | None) -> Tweetup:
    """The tweetup if this person may see it (hidden ones: organizers and the proposer)."""
    tweetup = db.session.get(Tweetup, tweetup_id) if 0 < tweetup_id <= 2**31 - 1 else None
    if tweetup is None or (tweetup.hidden and not can_see_hidden(user, tweetup)):
        raise NotFound(f"There is no tweetup {tweetup_id}.")
    return tweetup


def get_chat(chat_id: int) -> Tweetchat:
    chat = db.session.get(Tweetchat, chat_id) if 0 < chat_id <= 2**31 - 1 else None
    if chat is None:
        raise NotFound(f"There is no tweetchat {chat_id}.")
    return chat


def chat_is_live(chat: Tweetchat) -> bool:
    return chat.current_question > 0 and chat.ended_at is None


def _chat_question(chat: Tweetchat, text: str, explicit: int | None) -> int | None:
    """The question an answer belongs to: the explicit number, else the text's "A<n>" mark
    when that question is out (a mark for an unreleased question leaves it ungrouped)."""
    if explicit is not None:
        if not 1 <= explicit <= chat.current_question:
            raise ValidationFailed(
                f"Question {explicit} has not been released in this chat yet.",
                code="question_not_released",
                field="question",
            )
        return explicit
    number = parse_answer(text)
    if number is not None and number <= chat.current_question:
        return number
    return None


def check_placement(
    user: User,
    conference: Conference,
    text: str,
    *,
    tweetup_id: int | None,
    chat_id: int | None,
    question: int | None,
    reply_to_id: int | None,
) -> Placement:
    """Validate the room and thread a post asks for; fill in what a reply inherits.

    A reply goes to its parent's tweetup or chat (and its question); a conference-wall post
    carrying the hashtag of a chat that is running joins that chat.
    """
    parent: Post | None = None
    if reply_to_id is not None:
        parent = db.session.get(Post, reply_to_id) if 0 < reply_to_id <= 2**31 - 1 else None
        if parent is None or parent.status != "visible" or parent.conference_id != conference.id:
            raise NotFound(f"There is no post {reply_to_id} to reply to here.")
        for name, asked, inherited in (
            ("tweetup_id", tweetup_id, parent.tweetup_id),
            ("chat_id", chat_id, parent.chat_id),
        ):
            if asked is not None and asked != inherited:
                raise ValidationFailed(
                    "A reply goes in the room of the post it replies to.",
                    code="reply_elsewhere",
                    field=name,
                )
        tweetup_id, chat_id = parent.tweetup_id, parent.chat_id
    if tweetup_id is not None and chat_id is not None:
        raise ValidationFailed(
            "A post goes to one tweetup or one tweetchat, not both.", field="chat_id"
        )
    if tweetup_id is not None:
        tweetup = visible_tweetup(tweetup_id, user)
        if tweetup.conference_id != conference.id:
            raise NotFound(f"There is no tweetup {tweetup_id} in this conference.")
        return Placement(tweetup_id=tweetup.id, reply_to_id=reply_to_id)
    if chat_id is None and question is None and parent is None:
        chat = _running_chat_tagged(conference, text)
        if chat is None:
            return Placement()
        return Placement(chat_id=chat.id, question=_chat_question(chat, text, None))
    if chat_id is None:
        if question is not None:
            raise ValidationFailed("'question' needs a chat_id.", field="question")
        return Placement(reply_to_id=reply_to_id)
    chat = get_chat(chat_id)
    if chat.conference_id != conference.id:
        raise NotFound(f"There is no tweetchat {chat_id} in this conference.")
    if parent is not None and question is None:
        number = parent.chat_question
    else:
        number = _chat_question(chat, text, question)
    return Placement(chat_id=chat.id, question=number, reply_to_id=reply_to_id)


def _running_chat_tagged(conference: Conference, text: str) -> Tweetchat | None:
    if "#" not in text and "\uff03" not in text:
        return None
    for chat_id, hashtag in wall_rules.rules_for(conference).running_chats:
        if has_hashtag(text, hashtag):
            return db.session.get_one(Tweetchat, chat_id)
    return None


def room_filters(
    conference: Conference, args: dict[str, object], user: User | None
) -> dict[str, int | None]:
    """``tweetup_id``/``chat_id`` of a wall query, checked to be in ``conference``."""
    tweetup_id = args.get("tweetup_id")
    chat_id = args.get("chat_id")
    if isinstance(tweetup_id, int):
        tweetup = visible_tweetup(tweetup_id, user)
        if tweetup.conference_id != conference.id:
            raise NotFound(f"There is no tweetup {tweetup_id} in this conference.")
    if isinstance(chat_id, int) and get_chat(chat_id).conference_id != conference.id:
        raise NotFound(f"There is no tweetchat {chat_id} in this conference.")
    return {
        "tweetup_id": tweetup_id if isinstance(tweetup_id, int) else None,
        "chat_id": chat_id if isinstance(chat_id, int) else None,
    }
