"""My agenda: stars, overlaps, and a private iCalendar feed calendar apps can subscribe to."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, url_for

from server.api.common import Blueprint, query_args
from server.api.presenters import talk_summary
from server.api.security import require_user
from server.errors import NotFound
from server.schemas.programme import (
    AgendaQuerySchema,
    AgendaSchema,
    CalendarFeedSchema,
    TalkSummarySchema,
)
from server.services import agenda, programme, tweetups
from server.services.calendar import build_calendar

blp = Blueprint("agenda", __name__, url_prefix="/api/v1", description="Personal agenda")


@blp.route("/me/agenda")
@query_args(blp, AgendaQuerySchema)
@blp.response(200, AgendaSchema)
def my_agenda(args: dict[str, Any]) -> dict[str, Any]:
    """My starred sessions in time order; ``overlaps`` marks clashes"""
    user = require_user()
    conference_id = None
    if args.get("conference"):
        conference_id = programme.get_conference(args["conference"]).id
    items = []
    for talk, clashes in agenda.agenda_with_overlaps(user, conference_id):
        item = talk_summary(talk, talk.conference)
        item.update(starred=True, overlaps=clashes)
        items.append(item)
    mine = [t for t, _ in tweetups.my_tweetups(user, conference_id)]
    public_url = current_app.config["PUBLIC_URL"]
    return {"items": items, "tweetups": tweetups.wires(mine, user, public_url)}


@blp.route("/me/agenda/<int:talk_id>", methods=["PUT"])
@blp.response(200, TalkSummarySchema)
def star(talk_id: int) -> dict[str, Any]:
    """Star a session (idempotent)"""
    talk = agenda.do_star(require_user(), talk_id)
    return {**talk_summary(talk, talk.conference), "starred": True}


@blp.route("/me/agenda/<int:talk_id>", methods=["DELETE"])
@blp.response(204)
def unstar(talk_id: int) -> None:
    """Unstar a session (idempotent)"""
    agenda.do_unstar(require_user(), talk_id)


def _feed_url(secret: str) -> str:
    path = url_for("agenda.agenda_feed", secret=secret)
    return f"{current_app.config['PUBLIC_URL']}{path}"


@blp.route("/me/agenda/feed", methods=["POST"])
@blp.response(201, CalendarFeedSchema)
def create_feed() -> dict[str, str]:
    """Create (or replace) my private calendar feed URL; the old URL stops working"""
    secret = agenda.do_rotate_calendar_token(require_user())
    return {"url": _feed_url(secret)}


@blp.route("/me/agenda/feed", methods=["DELETE"])
@blp.response(204)
def revoke_feed() -> None:
    """Revoke my calendar feed URL"""
    agenda.do_revoke_calendar_token(require_user())


@blp.route("/agenda/<secret>.ics")
@blp.response(200, content_type="text/calendar")
def agenda_feed(secret: str) -> Response:
    """A private agenda feed (the secret in the URL is the credential)"""
    user = agenda.user_for_calendar_token(secret)
    if user is None:
        raise NotFound("This calendar feed does not exist or was revoked.")
    talks = [(t, t.conference) for t in agenda.agenda_talks(user)]
    body = build_calendar(
        talks,
        name=f"{user.display_name}'s agenda (Backchannel)",
        public_url=current_app.config["PUBLIC_URL"],
        tweetups=tweetups.calendar_entries(user),
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, no-cache"
    return response
