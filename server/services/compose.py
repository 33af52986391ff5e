"""The drafter's use-cases: compose from a session, measure, check, thread, hand off.

Pure rules live in ``server.domain`` (drafting, text, phi, intents); this module maps
programme rows to the domain's values, turns domain errors into API errors, and adds the
session's social-media policy to the findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from server.clock import now
from server.domain import drafting, instances, intents
from server.domain.phi import check_phi
from server.domain.text import (
    Measurement,
    TextValidationError,
    ThreadSplitError,
    is_network,
    measure,
    split_thread,
    validate_text,
)
from server.errors import AppError, ValidationFailed
from server.models import Talk, User
from server.services import programme
from server.services.programme_import import conference_days

MAX_COMPOSE_CHARS = 10_000


@dataclass(frozen=True)
class Finding:
    """A warning the author must confirm: PHI or the session's policy. Offsets in code points."""

    rule: str
    start: int
    end: int
    message: str
    kind: str  # "phi" or "policy"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "start": self.start,
            "end": self.end,
            "message": self.message,
            "kind": self.kind,
        }


def text_error(exc: TextValidationError) -> AppError:
    status = 400 if exc.code == "invalid_encoding" else 422
    return AppError(exc.message, code=exc.code, status=status, field=exc.field)


def checked_text(text: str, *, field: str = "text", allow_empty: bool = False) -> str:
    try:
        return validate_text(
            text, max_chars=MAX_COMPOSE_CHARS, allow_empty=allow_empty, field=field
        )
    except TextValidationError as exc:
        raise text_error(exc) from exc


def draft_error(exc: drafting.DraftError | intents.IntentError | ThreadSplitError) -> AppError:
    return ValidationFailed(exc.message, code=exc.code, field=getattr(exc, "field", None))


def session_info(talk: Talk) -> drafting.SessionInfo:
    conference = talk.conference
    return drafting.SessionInfo(
        title=talk.title,
        conference_tag=conference.hashtag,
        session_tag=talk.tag,
        code=talk.code,
        track=talk.track.name if talk.track else None,
        track_tags=tuple(talk.track.hashtags) if talk.track else (),
        speakers=tuple(
            drafting.Speaker(name=ts.speaker.name, handles=ts.speaker.handles)
            for ts in talk.talk_speakers
        ),
        room=talk.room.name if talk.room else None,
    )


def mastodon_limit_for(user: User | None, given: int | None = None) -> int:
    """The Mastodon limit to count against: the request's, else the person's stored one,
    else Mastodon's default 500."""
    if given is not None:
        return given
    if user is not None and user.mastodon_limit is not None:
        return user.mastodon_limit
    return instances.DEFAULT_LIMIT


def measurements(
    text: str, mastodon_limit: int = instances.DEFAULT_LIMIT
) -> dict[str, dict[str, Any]]:
    return {
        network: m.as_dict() for network, m in measure(text, mastodon_limit=mastodon_limit).items()
    }


def policy_findings(talk: Talk, text: str) -> list[Finding]:
    """The session's policy, said plainly; the posting paths enforce it (live wall issue)."""
    end = len(text)
    if talk.policy == "opted_out":
        note = f" {talk.policy_note}" if talk.policy_note else ""
        return [
            Finding(
                "policy_opted_out",
                0,
                end,
                "The speaker has asked not to be posted about." + note,
                "policy",
            )
        ]
    if talk.policy == "embargoed" and talk.embargo_until and now() < talk.embargo_until:
        local = programme.local_time(talk.conference, talk.embargo_until)
        return [
            Finding(
                "policy_embargoed",
                0,
                end,
                f"This session is under embargo until {local:%a %d %b %H:%M} "
                f"({talk.conference.timezone}); posts are held until then.",
                "policy",
            )
        ]
    if talk.policy == "no_photos":
        return [
            Finding(
                "policy_no_photos",
                0,
                0,
                "No photos of slides in this session; text posts are fine.",
                "policy",
            )
        ]
    return []


def check(text: str, *, talk: Talk | None, user: User | None) -> list[Finding]:
    """PHI findings (speakers and the author may be named) plus the session's policy."""
    names: list[str] = []
    days: list[date] = []
    if user is not None:
        names.append(user.display_name)
    if talk is not None:
        names += [ts.speaker.name for ts in talk.talk_speakers]
        days = conference_days(talk.conference)
    findings = [
        Finding(f.rule, f.start, f.end, f.message, "phi")
        for f in check_phi(text, allow_names=names, conference_dates=days)
    ]
    if talk is not None:
        findings = policy_findings(talk, text) + findings
    return findings


def compose_for_session(
    talk: Talk,
    *,
    network: str,
    template: str,
    note: str | None,
    quote: str | None,
    link: str | None,
    speaker: int | None,
    mastodon_limit: int,
    user: User | None,
) -> tuple[drafting.Draft, list[Finding]]:
    for name, value in (("note", note), ("quote", quote)):
        if value is not None:
            checked_text(value, field=name, allow_empty=True)
    try:
        draft = drafting.compose(
            session_info(talk),
            network,
            template=template,
            note=note,
            quote=quote,
            link=link,
            speaker=speaker,
            mastodon_limit=mastodon_limit,
        )
    except drafting.DraftError as exc:
        raise draft_error(exc) from exc
    return draft, check(draft.text, talk=talk, user=user)


def suggestions(talk: Talk, text: str) -> list[drafting.TagSuggestion]:
    return drafting.suggest_tags(session_info(talk), text=text)


def thread(
    text: str, *, network: str, talk: Talk | None, mastodon_limit: int
) -> tuple[int, list[tuple[str, Measurement]]]:
    checked_text(text)
    try:
        if talk is not None:
            result = drafting.thread_for_session(
                session_info(talk), text, network, mastodon_limit=mastodon_limit
            )
        elif is_network(network):
            result = split_thread(text, network, mastodon_limit=mastodon_limit)
        else:
            raise drafting.DraftError(
                "unknown_network", f"Unknown network {network!r}.", field="network"
            )
    except (drafting.DraftError, ThreadSplitError) as exc:
        raise draft_error(exc) from exc
    return result.limit, [(part.text, part.measurement) for part in result.parts]


def hand_off(
    text: str, *, link: str | None, mastodon_instance: str | None, mastodon_limit: int
) -> intents.HandOff:
    checked_text(text)
    try:
        return intents.build_intents(
            text, link=link, mastodon_instance=mastodon_instance, mastodon_limit=mastodon_limit
        )
    except intents.IntentError as exc:
        raise draft_error(exc) from exc


def talk_or_none(talk_id: int | None) -> Talk | None:
    return programme.get_talk(talk_id) if talk_id is not None else None
