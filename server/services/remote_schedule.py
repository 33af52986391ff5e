"""Programmes published at a URL (pretalx, frab): fetch, import, refresh periodically."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import requests
from sqlalchemy import select

from server.clock import now as clock_now
from server.errors import AppError
from server.extensions import db
from server.importers import MAX_SCHEDULE_BYTES
from server.models import Conference
from server.services.programme_import import ImportReport, do_import_programme

log = logging.getLogger(__name__)

FETCH_TIMEOUT = (5, 30)
USER_AGENT = "Backchannel schedule importer (+https://github.com/backchannel)"


class FetchFailed(AppError):
    status = 502
    code = "fetch_failed"


def fetch(url: str, etag: str | None = None) -> tuple[bytes | None, str | None]:
    """The body at ``url`` and its ETag; ``(None, etag)`` when unchanged since ``etag``."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json, application/xml, text/*"}
    if etag:
        headers["If-None-Match"] = etag
    try:
        with requests.get(url, headers=headers, timeout=FETCH_TIMEOUT, stream=True) as response:
            if response.status_code == 304:
                return None, etag
            if response.status_code != 200:
                raise FetchFailed(
                    f"The programme URL answered HTTP {response.status_code}.",
                    details={"url": url},
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > MAX_SCHEDULE_BYTES:
                    raise FetchFailed(
                        f"The programme at that URL is larger than "
                        f"{MAX_SCHEDULE_BYTES // 2**20} MiB.",
                        code="payload_too_large",
                        status=413,
                    )
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("ETag")
    except requests.RequestException as exc:
        raise FetchFailed(f"Could not fetch the programme: {type(exc).__name__}.") from exc


def do_import_from_url(
    conference: Conference,
    url: str,
    *,
    refresh_minutes: int | None,
    default_timezone: str | None,
    user_id: int | None,
) -> ImportReport:
    data, etag = fetch(url)
    assert data is not None
    report = do_import_programme(
        data,
        slug=conference.slug,
        source="url",
        user_id=user_id,
        default_timezone=default_timezone,
        create=False,
    )
    conference.source_url = url
    conference.source_refresh_minutes = refresh_minutes
    conference.source_etag = etag
    conference.source_checked_at = clock_now()
    db.session.commit()
    return report


def refresh_due(now: datetime) -> dict[str, str]:
    """Refresh every conference whose programme URL is due; returns slug -> outcome."""
    outcomes: dict[str, str] = {}
    due = db.session.scalars(
        select(Conference).where(
            Conference.source_url.is_not(None), Conference.source_refresh_minutes.is_not(None)
        )
    ).all()
    for conference in due:
        assert conference.source_refresh_minutes is not None and conference.source_url
        last = conference.source_checked_at
        if last and now - last < timedelta(minutes=conference.source_refresh_minutes):
            continue
        outcomes[conference.slug] = _refresh_one(conference, now)
    return outcomes


def _refresh_one(conference: Conference, now: datetime) -> str:
    url, slug = conference.source_url, conference.slug
    assert url is not None
    try:
        data, etag = fetch(url, conference.source_etag)
        if data is None:
            outcome = "not modified"
        else:
            report = do_import_programme(data, slug=slug, source="refresh", create=False)
            outcome = "changed" if report.changed_anything else "unchanged"
            conference.source_etag = etag
    except AppError as exc:
        db.session.rollback()
        log.warning("programme refresh of %s failed: %s", slug, exc.code)
        outcome = f"failed: {exc.code}"
    conference = db.session.scalars(select(Conference).where(Conference.slug == slug)).one()
    conference.source_checked_at = now
    db.session.commit()
    return outcome
