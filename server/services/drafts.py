"""Drafts saved per person, safe to re-send from an offline phone.

The client picks the draft's id. Saving carries the revision the client last saw: a save
that matches the stored revision applies; a re-sent save that already applied answers the
current draft (no duplicate, no error); anything else is a 409 carrying the current version.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from server.errors import Conflict, NotFound, ValidationFailed
from server.extensions import db
from server.models import Draft, User
from server.models.base import utcnow
from server.services.compose import checked_text
from server.services.programme import get_talk

MAX_DRAFTS = 500


def check_client_id(client_id: str) -> str:
    try:
        return str(uuid.UUID(client_id))
    except ValueError as exc:
        raise ValidationFailed(
            "Draft ids are UUIDs chosen by the client.", code="invalid_draft_id", field="id"
        ) from exc


def get_draft(user: User, client_id: str) -> Draft:
    draft = db.session.scalar(
        select(Draft).where(Draft.user_id == user.id, Draft.client_id == check_client_id(client_id))
    )
    if draft is None:
        raise NotFound("There is no such draft.")
    return draft


def list_drafts(user: User) -> list[Draft]:
    return list(
        db.session.scalars(
            select(Draft)
            .where(Draft.user_id == user.id)
            .order_by(Draft.updated_at.desc(), Draft.id.desc())
        )
    )


def _same(draft: Draft, text: str, talk_id: int | None, network: str | None) -> bool:
    return (draft.text, draft.talk_id, draft.network) == (text, talk_id, network)


class StaleDraft(Conflict):
    code = "stale_revision"


def do_save_draft(
    user: User,
    client_id: str,
    *,
    text: str,
    session_id: int | None,
    network: str | None,
    revision: int | None,
    current_view: Any,
) -> tuple[Draft, bool]:
    """Create or update; returns ``(draft, created)``. ``current_view`` renders a 409 body."""
    client_id = check_client_id(client_id)
    checked_text(text, allow_empty=True)
    if session_id is not None:
        get_talk(session_id)
    draft = db.session.scalar(
        select(Draft).where(Draft.user_id == user.id, Draft.client_id == client_id)
    )
    if draft is None:
        if revision not in (None, 0):
            raise NotFound("That draft was deleted; save it without a revision to recreate it.")
        count = len(list_drafts(user))
        if count >= MAX_DRAFTS:
            raise ValidationFailed(
                f"You can keep at most {MAX_DRAFTS} drafts.", code="too_many_drafts"
            )
        draft = Draft(
            user_id=user.id,
            client_id=client_id,
            talk_id=session_id,
            network=network,
            text=text,
            revision=1,
        )
        db.session.add(draft)
        db.session.commit()
        return draft, True
    if revision == draft.revision:
        if not _same(draft, text, session_id, network):
            draft.text, draft.talk_id, draft.network = text, session_id, network
            draft.revision += 1
            draft.updated_at = utcnow()
            db.session.commit()
        return draft, False
    if _same(draft, text, session_id, network) and revision in (None, draft.revision - 1):
        return draft, False  # the same save arriving again
    raise StaleDraft(
        f"This draft changed since revision {revision}; merge with the current version.",
        details={"current": current_view(draft)},
    )


def do_delete_draft(user: User, client_id: str) -> None:
    draft = db.session.scalar(
        select(Draft).where(Draft.user_id == user.id, Draft.client_id == check_client_id(client_id))
    )
    if draft is not None:
        db.session.delete(draft)
        db.session.commit()
