"""Reading an instance's post limit from its documents, and which addresses may be fetched."""

from __future__ import annotations

import pytest

from server.domain.instances import (
    InstanceDocumentError,
    address_allowed,
    read_limit,
)

pytestmark = pytest.mark.unit


def test_v2_reads_configuration_statuses_max_characters() -> None:
    document = {"configuration": {"statuses": {"max_characters": 1000}}}

    assert read_limit(document, "v2") == (1000, None)
    assert read_limit(document, "v1") == (1000, None)  # Mastodon 3.5's v1 has it too


def test_v1_reads_max_toot_chars_of_forks_and_v2_does_not() -> None:
    document = {"uri": "fork.example", "max_toot_chars": 5000}

    assert read_limit(document, "v1") == (5000, None)
    assert read_limit(document, "v2") is None


@pytest.mark.parametrize(
    "document",
    [{}, {"configuration": {}}, {"configuration": {"statuses": {}}}, {"configuration": 3}],
)
def test_a_document_without_a_limit_names_none(document: object) -> None:
    assert read_limit(document, "v2") is None
    assert read_limit(document, "v1") is None


@pytest.mark.parametrize("value", [0, -5, "500", 500.0, True, [500], {"n": 500}])
def test_a_limit_that_is_not_a_positive_whole_number_is_an_error(value: object) -> None:
    with pytest.raises(InstanceDocumentError):
        read_limit({"configuration": {"statuses": {"max_characters": value}}}, "v2")


@pytest.mark.parametrize("document", [[], "text", 3, None])
def test_a_document_that_is_not_an_object_is_an_error(document: object) -> None:
    with pytest.raises(InstanceDocumentError):
        read_limit(document, "v2")


def test_a_limit_over_100000_is_capped_with_a_note() -> None:
    limit, note = read_limit({"max_toot_chars": 250_000}, "v1") or (0, None)

    assert limit == 100_000
    assert note is not None and "250,000" in note


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "2a01:4f8::1"],
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_allowed(address)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::",
        "224.0.0.1",
        "255.255.255.255",
        "240.0.0.1",
        "192.0.2.1",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "not an address",
    ],
)
def test_private_local_and_special_addresses_are_refused(address: str) -> None:
    assert not address_allowed(address)


def test_the_test_setting_opens_loopback_and_nothing_else() -> None:
    assert address_allowed("127.0.0.1", allow_loopback=True)
    assert address_allowed("::1", allow_loopback=True)
    assert address_allowed("::ffff:127.0.0.1", allow_loopback=True)
    for address in ("10.0.0.1", "169.254.169.254", "192.168.1.1", "fe80::1", "0.0.0.0"):
        assert not address_allowed(address, allow_loopback=True), address


def test_the_test_url_is_read_from_the_environment_and_refused_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from server.config import check_production, from_environment

    monkeypatch.delenv("BACKCHANNEL_MASTODON_TEST_URL", raising=False)
    assert from_environment()["MASTODON_TEST_URL"] is None
    monkeypatch.setenv("BACKCHANNEL_MASTODON_TEST_URL", "http://127.0.0.1:8123/{host}")
    config = from_environment()
    assert config["MASTODON_TEST_URL"] == "http://127.0.0.1:8123/{host}"

    check_production({**config, "ENV_NAME": "development"})
    with pytest.raises(RuntimeError, match="BACKCHANNEL_MASTODON_TEST_URL"):
        check_production({**config, "ENV_NAME": "production", "SECRET_KEY": "s3cret"})
