"""Tweetchats: schedule with questions, release them, compose answers, read transcripts."""

from __future__ import annotations

from typing import Any

from flask import Response

from server.api.common import WRITE_LIMIT, Blueprint, public_url
from server.api.security import current_user, require_user
from server.errors import ValidationFailed
from server.extensions import limiter
from server.schemas.connecting import (
    ChatComposeRequestSchema,
    ChatComposeSchema,
    ChatCreateSchema,
    ChatListSchema,
    ChatPatchSchema,
    ChatQuestionsSchema,
    ChatSchema,
    ReleaseRequestSchema,
    ReleaseSchema,
    TranscriptSchema,
)
from server.services import chats, compose, programme
from server.services.connecting import get_chat

blp = Blueprint("chats", __name__, url_prefix="/api/v1", description="Tweetchats")


@blp.route("/conferences/<slug>/chats")
@blp.response(200, ChatListSchema)
def list_chats(slug: str) -> dict[str, Any]:
    """The conference's tweetchats by start time"""
    conference = programme.get_conference(slug)
    user = current_user()
    return {"items": [chats.wire(c, user, public_url()) for c in chats.list_chats(conference)]}


@blp.route("/conferences/<slug>/chats", methods=["POST"])
@limiter.limit(WRITE_LIMIT)
@blp.arguments(ChatCreateSchema)
@blp.response(201, ChatSchema)
def schedule(body: dict[str, Any], slug: str) -> dict[str, Any]:
    """Schedule a tweetchat with its questions (anyone signed in hosts)"""
    user = require_user()
    conference = programme.get_conference(slug)
    data = chats.ChatInput(
        title=body["title"],
        hashtag=body["hashtag"],
        start=body["start"],
        end=body["end"],
        questions=tuple(body["questions"]),
        description=body.get("description"),
    )
    return chats.wire(chats.do_schedule(user, conference, data), user, public_url())


@blp.route("/chats/<int:chat_id>")
@blp.response(200, ChatSchema)
def get_chat_route(chat_id: int) -> dict[str, Any]:
    """A tweetchat: its state and the released questions (all of them for the host)"""
    return chats.wire(get_chat(chat_id), current_user(), public_url())


@blp.route("/chats/<int:chat_id>", methods=["PATCH"])
@limiter.limit(WRITE_LIMIT)
@blp.arguments(ChatPatchSchema)
@blp.response(200, ChatSchema)
def update_chat(body: dict[str, Any], chat_id: int) -> dict[str, Any]:
    """Edit the title, description, hashtag or times (the host or an organizer)

    Send only what changes. ``start`` without ``end`` moves the chat (its length stays).
    Once Q1 is released the start and hashtag stay (409 ``chat_started``, with ``field``);
    an ended chat is not edited (409 ``chat_ended``). A refused request writes nothing.
    After commit everyone in ``chat:<id>`` gets ``chat_updated``.
    """
    user = require_user()
    return chats.wire(chats.do_update(user, chat_id, body), user, public_url())


@blp.route("/chats/<int:chat_id>/questions", methods=["PUT"])
@limiter.limit(WRITE_LIMIT)
@blp.arguments(ChatQuestionsSchema)
@blp.response(200, ChatSchema)
def set_questions(body: dict[str, Any], chat_id: int) -> dict[str, Any]:
    """Rewrite the questions not yet released (the host or an organizer)

    The whole list: it starts with the released questions as they were asked (409
    ``question_released`` otherwise); the rest replaces the unreleased ones. 409
    ``chat_ended`` after the end. After commit everyone in ``chat:<id>`` gets
    ``chat_updated``.
    """
    user = require_user()
    chat = chats.do_update_questions(user, get_chat(chat_id), body["questions"])
    return chats.wire(chat, user, public_url())


@blp.route("/chats/<int:chat_id>/next", methods=["POST"])
@limiter.limit(WRITE_LIMIT)
@blp.arguments(ReleaseRequestSchema)
@blp.response(200, ReleaseSchema)
def release_next(body: dict[str, Any], chat_id: int) -> dict[str, Any]:
    """Release the next question (the host): everyone in ``chat:<id>`` gets ``question``"""
    user = require_user()
    question = chats.do_release_next(user, chat_id, body.get("expected"))
    wire = chats.wire(get_chat(chat_id), user, public_url())
    released = next(q for q in wire["questions"] if q["number"] == question.number)
    return {"question": released, "chat": wire}


@blp.route("/chats/<int:chat_id>/end", methods=["POST"])
@limiter.limit(WRITE_LIMIT)
@blp.response(200, ChatSchema)
def end_chat(chat_id: int) -> dict[str, Any]:
    """End the tweetchat (the host); the transcript stays"""
    user = require_user()
    return chats.wire(chats.do_end(user, chat_id), user, public_url())


@blp.route("/chats/<int:chat_id>/compose", methods=["POST"])
@blp.arguments(ChatComposeRequestSchema)
@blp.response(200, ChatComposeSchema)
def compose_answer(body: dict[str, Any], chat_id: int) -> dict[str, Any]:
    """Draft an answer: "A<n> <note> #hashtag" for the current (or a given) question"""
    chat = get_chat(chat_id)
    wire = chats.wire(chat, current_user(), public_url())
    note = compose.checked_text(body["note"], field="note", allow_empty=True).strip()
    number = body.get("question") or chat.current_question
    released = {q["number"]: q for q in wire["questions"] if q["released_at"]}
    if number and number not in released:
        raise ValidationFailed(
            f"Question {number} has not been released yet.",
            code="question_not_released",
            field="question",
        )
    parts = [f"A{number}" if number else "", note, f"#{chat.hashtag}"]
    if note and f"#{chat.hashtag}".casefold() in note.casefold():
        parts.pop()
    text = " ".join(p for p in parts if p)
    return {
        "text": text,
        "hashtag": chat.hashtag,
        "question": released.get(number),
        "networks": compose.measurements(text, compose.mastodon_limit_for(current_user())),
    }


@blp.route("/chats/<int:chat_id>/transcript")
@blp.response(200, TranscriptSchema)
def transcript(chat_id: int) -> dict[str, Any]:
    """The transcript: by question in order, answers with authors and handles, replies
    threaded under what they answer"""
    return chats.transcript(get_chat(chat_id))


@blp.route("/chats/<int:chat_id>/transcript.md")
@blp.response(200, content_type="text/markdown")
@blp.doc(responses={"200": {"content": {"text/markdown": {"schema": {"type": "string"}}}}})
def transcript_markdown(chat_id: int) -> Response:
    """The transcript as Markdown (people's text escaped, shown as written)"""
    body = chats.transcript_md(chats.transcript(get_chat(chat_id)))
    response = Response(body, mimetype="text/markdown")
    response.headers["Content-Disposition"] = f'inline; filename="tweetchat-{chat_id}.md"'
    return response
