"""Format detection by content and the file-level refusals."""

from __future__ import annotations

import pytest

from server.domain.programme import ScheduleFormatError
from server.importers import MAX_SCHEDULE_BYTES, detect_format, parse_schedule
from tests.shared_data import schedule_bytes

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("name", "kind", "fmt"),
    [
        ("pyfahrplan-34c3-schedule.json", "json", "frab-json"),
        ("voc-pretalx-democon.json", "json", "frab-json"),
        ("voc-hub-schedule2.json", "json", "schedule-v2-json"),
        ("confclerk-fosdem2010-pentabarf.xml", "xml", "pentabarf-xml"),
    ],
)
def test_real_files_are_recognised_by_content(name: str, kind: str, fmt: str) -> None:
    data = schedule_bytes(name)
    assert detect_format(data) == kind
    assert parse_schedule(data, default_timezone="Europe/Brussels").format == fmt


def test_bom_and_whitespace_before_json() -> None:
    data = b"\xef\xbb\xbf \n" + schedule_bytes("voc-hub-schedule2.json")
    assert len(parse_schedule(data).talks) == 2


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"", b"hello world\n", b"%PDF-1.7\n"],
)
def test_unknown_format(data: bytes) -> None:
    with pytest.raises(
        ScheduleFormatError, match="unrecognised schedule format; supported: "
    ) as info:
        parse_schedule(data)
    assert "pentabarf schedule.xml" in info.value.message
    assert info.value.location == "start of file"


def test_oversized_input_is_refused_before_parsing() -> None:
    data = b"{" + b" " * MAX_SCHEDULE_BYTES
    with pytest.raises(ScheduleFormatError, match="the limit is 20,971,520 bytes") as info:
        parse_schedule(data)
    assert info.value.location == "whole file"
    assert MAX_SCHEDULE_BYTES == 20 * 1024 * 1024


def test_malformed_json() -> None:
    with pytest.raises(ScheduleFormatError, match="malformed JSON: Expecting") as info:
        parse_schedule(b'{"schedule": {\n  "conference": [1, 2,]\n}}')
    assert info.value.location == "line 2, column 23"


def test_json_that_is_not_utf8() -> None:
    with pytest.raises(ScheduleFormatError, match="not UTF-8") as info:
        parse_schedule(b'{"schedule": "\xff"}')
    assert info.value.location == "byte 14"


@pytest.mark.parametrize("data", [b"[]", b'{"events": []}', b'{"schedule": {"version": "1"}}'])
def test_wrong_top_level_structure(data: bytes) -> None:
    with pytest.raises(ScheduleFormatError, match="wrong top-level structure") as info:
        parse_schedule(data)
    assert info.value.location == "top level"


def test_invalid_default_timezone_is_checked_first() -> None:
    with pytest.raises(ScheduleFormatError, match="unknown timezone 'CEST'") as info:
        parse_schedule(schedule_bytes("voc-hub-schedule2.json"), default_timezone="CEST")
    assert info.value.location == "default_timezone argument"


def test_error_str_names_location() -> None:
    with pytest.raises(ScheduleFormatError) as info:
        parse_schedule(b"[]")
    assert str(info.value).endswith("(at top level)")
