"""The drafter: measure and check text, compose from a session, thread, hand off, drafts."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from server.api.common import Blueprint, cap_body, query_args
from server.api.security import current_user, require_user
from server.models import Draft
from server.schemas.compose import (
    CheckRequestSchema,
    CheckSchema,
    ComposeRequestSchema,
    ComposeSchema,
    DraftListSchema,
    DraftSaveSchema,
    DraftSchema,
    IntentRequestSchema,
    IntentsSchema,
    MeasureRequestSchema,
    MeasureSchema,
    SuggestionListSchema,
    SuggestionQuerySchema,
    ThreadRequestSchema,
    ThreadSchema,
)
from server.services import compose, drafts, programme

blp = Blueprint("compose", __name__, url_prefix="/api/v1", description="The drafter")

#: A post, a note and a quote fit easily; anything bigger is refused before it is parsed.
MAX_COMPOSE_BODY = 256 * 1024


cap_body(blp, MAX_COMPOSE_BODY, f"Drafter requests are at most {MAX_COMPOSE_BODY // 1024} KiB.")


@blp.route("/compose/measure", methods=["POST"])
@blp.arguments(MeasureRequestSchema)
@blp.response(200, MeasureSchema)
def measure(body: dict[str, Any]) -> dict[str, Any]:
    """Length of a text on every network, counted as each network counts"""
    text = compose.checked_text(body["text"], allow_empty=True)
    limit = compose.mastodon_limit_for(current_user(), body.get("mastodon_limit"))
    return {"networks": compose.measurements(text, limit)}


@blp.route("/compose/check", methods=["POST"])
@blp.arguments(CheckRequestSchema)
@blp.response(200, CheckSchema)
def check(body: dict[str, Any]) -> dict[str, Any]:
    """Patient-privacy and session-policy findings; each needs the author's confirmation"""
    text = compose.checked_text(body["text"], allow_empty=True)
    talk = compose.talk_or_none(body.get("session_id"))
    findings = compose.check(text, talk=talk, user=current_user())
    return {"findings": [f.as_dict() for f in findings], "requires_confirmation": bool(findings)}


@blp.route("/compose/draft", methods=["POST"])
@blp.arguments(ComposeRequestSchema)
@blp.response(200, ComposeSchema)
def compose_draft(body: dict[str, Any]) -> dict[str, Any]:
    """Draft a post from a session for one network, with a template"""
    talk = programme.get_talk(body["session_id"])
    user = current_user()
    draft, findings = compose.compose_for_session(
        talk,
        network=body["network"],
        template=body["template"],
        note=body.get("note"),
        quote=body.get("quote"),
        link=body.get("link"),
        speaker=body.get("speaker"),
        mastodon_limit=compose.mastodon_limit_for(user, body.get("mastodon_limit")),
        user=user,
    )
    parts = draft.parts
    return {
        "network": draft.network,
        "template": draft.template,
        "text": draft.text,
        "valid": draft.valid,
        "parts": {
            "lead": parts.lead,
            "note": parts.note,
            "quote": parts.quote,
            "link": parts.link,
            "mentions": list(parts.mentions),
            "named": list(parts.named),
            "tags": list(parts.tags),
            "tags_already_present": list(parts.tags_already_present),
        },
        "networks": {n: m.as_dict() for n, m in draft.measurements.items()},
        "findings": [f.as_dict() for f in findings],
        "suggestions": [_suggestion(s) for s in compose.suggestions(talk, draft.text)],
    }


def _suggestion(s: Any) -> dict[str, Any]:
    return {"tag": s.tag, "source": s.source, "reason": s.reason, "in_text": s.in_text}


@blp.route("/sessions/<int:talk_id>/suggestions")
@query_args(blp, SuggestionQuerySchema)
@blp.response(200, SuggestionListSchema)
def suggestions(args: dict[str, Any], talk_id: int) -> dict[str, Any]:
    """Tags worth adding for a session, best first, each with the reason"""
    talk = programme.get_talk(talk_id)
    text = compose.checked_text(args["text"], allow_empty=True)
    return {"items": [_suggestion(s) for s in compose.suggestions(talk, text)]}


@blp.route("/compose/thread", methods=["POST"])
@blp.arguments(ThreadRequestSchema)
@blp.response(200, ThreadSchema)
def thread(body: dict[str, Any]) -> dict[str, Any]:
    """Split a long note into a numbered thread that fits the network"""
    talk = compose.talk_or_none(body.get("session_id"))
    limit, parts = compose.thread(
        body["text"],
        network=body["network"],
        talk=talk,
        mastodon_limit=compose.mastodon_limit_for(current_user(), body.get("mastodon_limit")),
    )
    return {
        "network": body["network"],
        "limit": limit,
        "parts": [{"text": t, "length": m.length, "valid": m.valid} for t, m in parts],
    }


@blp.route("/compose/intents", methods=["POST"])
@blp.arguments(IntentRequestSchema)
@blp.response(200, IntentsSchema)
def hand_off(body: dict[str, Any]) -> dict[str, Any]:
    """Compose URLs for each network's own composer, and a Web Share payload"""
    result = compose.hand_off(
        body["text"],
        link=body.get("link"),
        mastodon_instance=body.get("mastodon_instance"),
        mastodon_limit=compose.mastodon_limit_for(current_user(), body.get("mastodon_limit")),
    )
    return {
        "text": result.text,
        "intents": {
            network: {
                "url": intent.url,
                "valid": intent.valid,
                "length": intent.measurement.length,
                "limit": intent.measurement.limit,
                "reason": intent.reason,
            }
            for network, intent in result.intents.items()
        },
        "web_share": {"text": result.web_share.text, "url": result.web_share.url},
    }


def draft_view(draft: Draft) -> dict[str, Any]:
    talk = compose.talk_or_none(draft.talk_id)
    findings = compose.check(draft.text, talk=talk, user=current_user()) if draft.text else []
    return {
        "id": draft.client_id,
        "text": draft.text,
        "session_id": draft.talk_id,
        "network": draft.network,
        "revision": draft.revision,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
        "networks": compose.measurements(draft.text, compose.mastodon_limit_for(current_user())),
        "findings": [f.as_dict() for f in findings],
    }


@blp.route("/me/drafts")
@blp.response(200, DraftListSchema)
def list_drafts() -> dict[str, Any]:
    """My drafts, most recently changed first, with counts and findings"""
    return {"items": [draft_view(d) for d in drafts.list_drafts(require_user())]}


@blp.route("/me/drafts/<draft_id>")
class DraftResource(MethodView):
    @blp.response(200, DraftSchema)
    def get(self, draft_id: str) -> dict[str, Any]:
        """One draft"""
        return draft_view(drafts.get_draft(require_user(), draft_id))

    @blp.arguments(DraftSaveSchema)
    @blp.response(200, DraftSchema)
    @blp.alt_response(201, schema=DraftSchema, description="Created")
    def put(self, body: dict[str, Any], draft_id: str) -> Any:
        """Create or update a draft under a client-chosen UUID (re-sending is safe).

        Send the ``revision`` you last saw; a stale one answers 409 ``stale_revision``
        with the current draft in ``error.current``.
        """
        draft, created = drafts.do_save_draft(
            require_user(),
            draft_id,
            text=body["text"],
            session_id=body.get("session_id"),
            network=body.get("network"),
            revision=body.get("revision"),
            current_view=draft_view,
        )
        return draft_view(draft), 201 if created else 200

    @blp.response(204)
    def delete(self, draft_id: str) -> None:
        """Delete a draft (deleting twice is harmless)"""
        drafts.do_delete_draft(require_user(), draft_id)
