"""Schedule importers: bytes of a published programme -> :class:`ProgrammeRecord`.

Organisers upload whatever their tooling exports, often under a generic file name, so the
format is recognised by content, never by name. The size limit is checked before any
parsing so a huge upload costs nothing. All failures are ``ScheduleFormatError`` with a
``location`` a person can act on; nothing here touches the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from server.domain.programme import ProgrammeRecord, ScheduleFormatError
from server.importers import csv_template, frab_json, frab_xml, schedule_v2
from server.importers._common import load_zone

__all__ = [
    "MAX_SCHEDULE_BYTES",
    "SUPPORTED_FORMATS",
    "ScheduleFormatError",
    "detect_format",
    "parse_schedule",
]

#: Uploads above this size are refused before parsing (the 34C3 file is 0.8 MB).
MAX_SCHEDULE_BYTES = 20 * 1024 * 1024

SUPPORTED_FORMATS = (
    "frab/pretalx schedule.json (v1)",
    "schedule v2 JSON",
    "frab/pretalx schedule.xml",
    "pentabarf schedule.xml",
    "Backchannel CSV template",
)

_BOM = b"\xef\xbb\xbf"


def parse_schedule(data: bytes, *, default_timezone: str | None = None) -> ProgrammeRecord:
    """Parse a schedule file of any supported format.

    ``default_timezone`` (IANA name) is used when the file names none: required for
    pentabarf XML and CSV; for JSON without one, the events' UTC offset is used.
    """
    if len(data) > MAX_SCHEDULE_BYTES:
        raise ScheduleFormatError(
            f"schedule file is {len(data):,} bytes; the limit is {MAX_SCHEDULE_BYTES:,} bytes",
            "whole file",
        )
    if default_timezone is not None:
        load_zone(default_timezone, "default_timezone argument")
    kind = detect_format(data)
    if kind == "xml":
        document = frab_xml.load(data)
        return frab_xml.parse(document, default_timezone=default_timezone)
    if kind == "json":
        return _parse_json(data, default_timezone)
    return csv_template.parse(_decode(data), default_timezone=default_timezone)


def detect_format(data: bytes) -> str:
    """``"xml"``, ``"json"`` or ``"csv"`` from the first bytes; else ScheduleFormatError."""
    head = data.removeprefix(_BOM).lstrip()
    if head.startswith(b"<"):
        return "xml"
    if head.startswith((b"{", b"[")):
        return "json"
    if b"\x00" not in head[:4096]:
        text = head[:4096].decode("utf-8", errors="ignore")
        if csv_template.header_columns(text) is not None:
            return "csv"
    raise ScheduleFormatError(
        f"unrecognised schedule format; supported: {', '.join(SUPPORTED_FORMATS)}",
        "start of file",
    )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScheduleFormatError("the file is not UTF-8 text", f"byte {exc.start}") from None


def _parse_json(data: bytes, default_timezone: str | None) -> ProgrammeRecord:
    try:
        doc: Any = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise ScheduleFormatError(
            f"malformed JSON: {exc.msg}", f"line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise ScheduleFormatError("malformed JSON: nested too deeply", "whole file") from None
    schedule = doc.get("schedule") if isinstance(doc, Mapping) else None
    if isinstance(schedule, Mapping):
        if isinstance(schedule.get("events"), list):
            return schedule_v2.parse(doc, default_timezone=default_timezone)
        conference = schedule.get("conference")
        if isinstance(conference, Mapping) and "days" in conference:
            return frab_json.parse(doc, default_timezone=default_timezone)
    raise ScheduleFormatError(
        "wrong top-level structure: expected {'schedule': {'conference': {'days': [...]}}} "
        "(schedule.json v1) or {'schedule': {'events': [...]}} (schedule v2)",
        "top level",
    )
