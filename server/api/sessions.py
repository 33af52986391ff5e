"""One session: detail, organizer edits, and its public .ics."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView

from server.api.common import Blueprint, not_modified, weak_etag
from server.api.presenters import talk_detail
from server.api.security import current_user, require_role
from server.schemas.programme import TalkDetailSchema, TalkUpdateSchema
from server.services import conferences as conference_service
from server.services import programme
from server.services.agenda import agenda_fingerprint, starred_ids
from server.services.calendar import build_calendar

blp = Blueprint("sessions", __name__, url_prefix="/api/v1/sessions", description="Sessions")


@blp.route("/<int:talk_id>")
class SessionDetail(MethodView):
    @blp.response(200, TalkDetailSchema)
    def get(self, talk_id: int) -> Any:
        """A session with its speakers, handles, links and posting policy"""
        talk = programme.get_talk(talk_id)
        user = current_user()
        etag = weak_etag(talk.conference.programme_version, talk.id, agenda_fingerprint(user))
        early = not_modified(etag)
        if early:
            return early
        body = talk_detail(talk, talk.conference)
        if user:
            body["starred"] = bool(starred_ids(user, [talk.id]))
        return body, 200, {"ETag": etag}

    @blp.arguments(TalkUpdateSchema)
    @blp.response(200, TalkDetailSchema)
    def patch(self, body: dict[str, Any], talk_id: int) -> dict[str, Any]:
        """Override the session tag or set its policy (organizers)"""
        require_role("organizer")
        talk = conference_service.do_update_talk(programme.get_talk(talk_id), body)
        return talk_detail(talk, talk.conference)


@blp.route("/<int:talk_id>/calendar.ics")
@blp.response(200, content_type="text/calendar")
def session_ics(talk_id: int) -> Response:
    """The session as an iCalendar file"""
    talk = programme.get_talk(talk_id)
    body = build_calendar(
        [(talk, talk.conference)], name=talk.title, public_url=current_app.config["PUBLIC_URL"]
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="session-{talk.id}.ics"'
    return response
