"""Speakers: detail with sessions, and organizer edits of their handles."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from server.api.common import Blueprint
from server.api.presenters import speaker_ref, talk_summary
from server.api.security import require_role
from server.extensions import db
from server.models import Conference
from server.schemas.programme import SpeakerSchema, SpeakerUpdateSchema
from server.services import conferences as conference_service
from server.services import programme

blp = Blueprint("speakers", __name__, url_prefix="/api/v1/speakers", description="Speakers")


def _view(speaker: Any) -> dict[str, Any]:
    conference = db.session.get_one(Conference, speaker.conference_id)
    return {
        **speaker_ref(speaker),
        "biography": speaker.biography,
        "sessions": [talk_summary(t, conference) for t in programme.talks_of_speaker(speaker)],
    }


@blp.route("/<int:speaker_id>")
class SpeakerDetail(MethodView):
    @blp.response(200, SpeakerSchema)
    def get(self, speaker_id: int) -> dict[str, Any]:
        """A speaker with handles and sessions"""
        return _view(programme.get_speaker(speaker_id))

    @blp.arguments(SpeakerUpdateSchema)
    @blp.response(200, SpeakerSchema)
    def patch(self, body: dict[str, Any], speaker_id: int) -> dict[str, Any]:
        """Edit a speaker's handles (organizers); edits survive re-imports"""
        require_role("organizer")
        speaker = programme.get_speaker(speaker_id)
        conference_service.do_set_speaker_handles(speaker, body["handles"])
        return _view(speaker)
