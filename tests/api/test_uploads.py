"""Images on posts: upload, re-encode without metadata, thumbnails, serving, attaching."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from server.extensions import db, socketio
from server.models import Talk
from server.services.demo import do_load_demo
from server.services.uploads import MAX_UPLOAD_BYTES
from tests.conftest import Api, table_counts
from tests.images import files_under, photo, png_claiming

pytestmark = pytest.mark.db

WALL = "/api/v1/conferences/nrc26/posts"


@pytest.fixture(autouse=True)
def upload_root(clean_app: Flask, tmp_path: Path) -> Iterator[Path]:
    """A fresh uploads folder per test, so "nothing written" can be checked."""
    saved = clean_app.config["UPLOAD_DIR"]
    clean_app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    clean_app.config["UPLOAD_DIR"] = saved


@pytest.fixture()
def demo(clean_app: Flask) -> dict[str, int]:
    with clean_app.app_context():
        do_load_demo()
        ids = {t.code: t.id for t in db.session.query(Talk).all() if t.code}
        db.session.remove()
    return ids


def upload(api: Api, data: bytes, *, name: str = "photo.jpg", alt: str | None = None,
           content_type: str = "image/jpeg", **extra: Any) -> Any:
    form: dict[str, Any] = {"file": (io.BytesIO(data), name, content_type), **extra}
    if alt is not None:
        form["alt"] = alt
    return api.post("/api/v1/uploads", data=form, content_type="multipart/form-data")


def post(api: Api, text: str, **body: Any) -> Any:
    return api.post(WALL, json={"text": text, **body},
                    headers={"Idempotency-Key": str(uuid.uuid4())})


def stored(api: Api, url: str) -> Image.Image:
    response = api.get(url)
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.data))


# --- re-encoding ----------------------------------------------------------------------------


def test_exif_gps_and_comments_are_gone_from_the_stored_file(
    attendee: Api, upload_root: Path
) -> None:
    original = photo(gps=True, comment=b"taken at home, 12 Elm Street")
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the GPS is there

    response = upload(attendee, original)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    for url in (body["url"], body["thumbnail_url"]):
        image = stored(attendee, url)
        assert dict(image.getexif()) == {}
        assert {"exif", "comment", "xmp", "icc_profile"} & set(image.info) == set()
    on_disk = files_under(upload_root)
    assert len(on_disk) == 2
    for path in on_disk:
        raw = path.read_bytes()
        assert b"Exif" not in raw and b"Elm Street" not in raw and b"PhoneMaker" not in raw


def test_orientation_is_applied_before_the_metadata_goes(attendee: Api) -> None:
    # Stored landscape, tagged "rotate 90° clockwise to display": the picture is portrait.
    response = upload(attendee, photo((600, 200), orientation=6))

    body = response.get_json()
    assert (body["width"], body["height"]) == (200, 600)
    image = stored(attendee, body["url"])
    assert image.size == (200, 600)
    red, blue = image.getpixel((100, 20)), image.getpixel((100, 580))
    assert red[0] > 200 and red[2] < 50  # the left (red) half is now on top
    assert blue[2] > 200 and blue[0] < 50


@pytest.mark.parametrize(
    ("size", "display", "thumb"),
    [
        ((4000, 3000), (2048, 1536), (400, 300)),
        ((1200, 2400), (1024, 2048), (200, 400)),
        ((300, 200), (300, 200), (300, 200)),
    ],
)
def test_display_version_and_thumbnail_sizes(
    attendee: Api, size: tuple[int, int], display: tuple[int, int], thumb: tuple[int, int]
) -> None:
    response = upload(attendee, photo(size, "PNG"), name="slide.png", content_type="image/png")

    body = response.get_json()
    assert (body["width"], body["height"]) == display
    assert (body["thumbnail_width"], body["thumbnail_height"]) == thumb
    assert stored(attendee, body["url"]).size == display
    assert stored(attendee, body["thumbnail_url"]).size == thumb


@pytest.mark.parametrize(
    ("fmt", "mode", "content_type"),
    [("JPEG", "RGB", "image/jpeg"), ("PNG", "RGBA", "image/png"), ("WEBP", "RGBA", "image/webp")],
)
def test_each_accepted_format_keeps_its_type(
    attendee: Api, fmt: str, mode: str, content_type: str
) -> None:
    # The name and the declared type lie; the bytes decide.
    response = upload(attendee, photo((50, 40), fmt, mode=mode), name="x.gif",
                      content_type="application/octet-stream")

    assert response.status_code == 201
    body = response.get_json()
    assert body["content_type"] == content_type
    served = attendee.get(body["url"])
    assert served.headers["Content-Type"] == content_type
    assert Image.open(io.BytesIO(served.data)).format == fmt
    if mode == "RGBA":
        assert Image.open(io.BytesIO(served.data)).mode == "RGBA"


def test_a_payload_appended_to_a_jpeg_is_not_stored(attendee: Api, upload_root: Path) -> None:
    polyglot = photo((64, 64)) + b"<script>alert(1)</script>PK\x03\x04zip-payload"

    response = upload(attendee, polyglot)

    assert response.status_code == 201
    for path in files_under(upload_root):
        assert b"<script>" not in path.read_bytes()
        assert b"zip-payload" not in path.read_bytes()


# --- refusals -------------------------------------------------------------------------------


def _gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"<html><script>alert(1)</script></html>", 415, "unsupported_image_type"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 415,
         "unsupported_image_type"),
        (b"%PDF-1.7\n1 0 obj\n", 415, "unsupported_image_type"),
        (_gif(), 415, "unsupported_image_type"),
        # HTML first, a real JPEG after it: what the bytes start with decides.
        (b"<html>" + photo((8, 8)), 415, "unsupported_image_type"),
        # JPEG/PNG/WebP magic followed by something that is not that image.
        (b"\xff\xd8\xff\xe0<html><script>alert(1)</script>", 422, "invalid_image"),
        (b"\x89PNG\r\n\x1a\n<html><body>hi</body></html>", 422, "invalid_image"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 junkjunk", 422, "invalid_image"),
        (photo((200, 200))[:300], 422, "invalid_image"),  # truncated
        (png_claiming(8000, 8000), 422, "image_too_large"),  # over our 50 MP cap
        (png_claiming(30_000, 30_000), 422, "image_too_large"),  # Pillow's bomb error
    ],
    ids=["html", "svg", "pdf", "gif", "html-then-jpeg", "jpeg-magic-html", "png-magic-html",
         "webp-junk", "truncated", "64-megapixels", "900-megapixels"],
)
def test_what_is_not_an_accepted_image_is_refused_and_nothing_is_written(
    clean_app: Flask, attendee: Api, upload_root: Path, data: bytes, status: int, code: str
) -> None:
    before = table_counts(clean_app)

    response = upload(attendee, data)

    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert table_counts(clean_app) == before
    assert files_under(upload_root) == []


def test_an_oversized_file_is_refused_before_anything_is_written(
    clean_app: Flask, attendee: Api, upload_root: Path
) -> None:
    before = table_counts(clean_app)
    too_big = photo((64, 64)) + b"\x00" * MAX_UPLOAD_BYTES

    response = upload(attendee, too_big)

    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert table_counts(clean_app) == before
    assert files_under(upload_root) == []
    assert upload(attendee, photo((64, 64))).status_code == 201  # and the next one works


def test_a_file_just_under_the_cap_is_read(attendee: Api) -> None:
    near = photo((64, 64))
    near += b"\x00" * (MAX_UPLOAD_BYTES - len(near))  # trailing bytes after the image

    assert upload(attendee, near).status_code == 201


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"data": {"alt": "no file"}}, "file"),
        ({"data": {"file": (io.BytesIO(b""), "empty.jpg")}}, "file"),
        ({"data": {"file": (io.BytesIO(b"x"), "a.jpg"), "extra": "1"}}, "extra"),
    ],
)
def test_malformed_multipart_is_a_validation_error(
    attendee: Api, kwargs: dict[str, Any], field: str
) -> None:
    response = attendee.post("/api/v1/uploads", content_type="multipart/form-data", **kwargs)

    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field


def test_a_json_body_is_the_wrong_media_type(attendee: Api) -> None:
    response = attendee.post("/api/v1/uploads", json={"file": "aGVsbG8="})

    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


def test_uploading_needs_an_account(anon: Api, upload_root: Path) -> None:
    response = upload(anon, photo())

    assert response.status_code == 401
    assert files_under(upload_root) == []


@pytest.mark.parametrize("alt", ["a" * 1501, "bad\x00byte"])
def test_bad_alt_text_is_refused(attendee: Api, upload_root: Path, alt: str) -> None:
    response = upload(attendee, photo(), alt=alt)

    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["field"] == "alt"
    assert files_under(upload_root) == []


# --- serving --------------------------------------------------------------------------------


def test_media_is_served_with_its_type_nosniff_and_a_long_cache(attendee: Api, anon: Api) -> None:
    body = upload(attendee, photo()).get_json()

    response = anon.get(body["url"])

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "sandbox" in csp


@pytest.mark.parametrize(
    "name", ["nope.jpg", "0" * 64 + ".jpg", "0" * 64 + ".svg", "..%2F..%2Fetc%2Fpasswd",
             "%2e%2e%2fbackchannel.db"],
)
def test_unknown_or_crafted_media_names_are_not_found(anon: Api, name: str) -> None:
    assert anon.get(f"/media/{name}").status_code == 404


# --- attaching to posts ---------------------------------------------------------------------


def test_images_ride_on_the_post_with_their_alt_text(demo: dict[str, int], attendee: Api,
                                                     anon: Api) -> None:
    alt = "Slide 3: Kaplan–Meier curve, 5-yr OS 82 % vs 74 % — <b>not markup</b>"
    first = upload(attendee, photo((800, 600)), alt=alt).get_json()
    second = upload(attendee, photo((100, 100), "PNG")).get_json()

    response = post(attendee, "Two slides", image_ids=[second["id"], first["id"]])

    assert response.status_code == 201, response.get_json()
    images = response.get_json()["images"]
    assert images == [
        {"url": second["url"], "thumbnail_url": second["thumbnail_url"], "width": 100,
         "height": 100, "alt": ""},
        {"url": first["url"], "thumbnail_url": first["thumbnail_url"], "width": 800,
         "height": 600, "alt": alt},
    ]
    listed = anon.get(WALL).get_json()["items"]
    assert listed[0]["images"] == images
    assert anon.get(f"/api/v1/posts/{response.get_json()['id']}").get_json()["images"] == images


def test_a_post_without_images_has_an_empty_list(demo: dict[str, int], attendee: Api) -> None:
    assert post(attendee, "just text").get_json()["images"] == []


def test_another_users_upload_cannot_be_attached(
    demo: dict[str, int], clean_app: Flask, make_user: Callable[..., Api]
) -> None:
    owner, thief = make_user(), make_user()
    theirs = upload(owner, photo()).get_json()
    before = table_counts(clean_app)

    response = post(thief, "mine now", image_ids=[theirs["id"]])

    assert response.status_code == 404
    assert response.get_json()["error"] == {
        "code": "not_found",
        "message": f"There is no upload {theirs['id']} of yours.",
        "field": "image_ids",
    }
    assert table_counts(clean_app) == before
    assert post(owner, "mine", image_ids=[theirs["id"]]).status_code == 201


def test_an_image_is_used_by_one_post_only(demo: dict[str, int], attendee: Api) -> None:
    image = upload(attendee, photo()).get_json()
    assert post(attendee, "first", image_ids=[image["id"]]).status_code == 201

    again = post(attendee, "second", image_ids=[image["id"]])

    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "image_in_use"


@pytest.mark.parametrize(
    ("image_ids", "status"),
    [([1, 2, 3, 4, 5], 422), ([0], 422), (["1"], 422), ([2**31], 422), ([999_999], 404)],
)
def test_bad_image_ids_are_refused(
    demo: dict[str, int], attendee: Api, image_ids: list[Any], status: int
) -> None:
    response = post(attendee, "with images?", image_ids=image_ids)

    assert response.status_code == status
    assert response.get_json()["error"]["field"] == "image_ids"


def test_the_same_image_twice_in_one_post_is_refused(demo: dict[str, int], attendee: Api) -> None:
    image = upload(attendee, photo()).get_json()

    response = post(attendee, "twice", image_ids=[image["id"], image["id"]])

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "duplicate_image"


def test_a_no_photos_session_refuses_images_but_not_text(
    demo: dict[str, int], clean_app: Flask, attendee: Api
) -> None:
    image = upload(attendee, photo()).get_json()
    before = table_counts(clean_app)

    refused = post(attendee, "look at this slide", session_id=demo["SSNR02"],
                   image_ids=[image["id"]])

    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["code"] == "no_photos" and error["field"] == "image_ids"
    assert "no photos" in error["message"]
    assert table_counts(clean_app) == before
    assert post(attendee, "great talk", session_id=demo["SSNR02"]).status_code == 201
    assert post(attendee, "slide elsewhere", image_ids=[image["id"]]).status_code == 201


def test_an_idempotent_retry_with_other_images_is_a_reused_key(
    demo: dict[str, int], attendee: Api
) -> None:
    one, two = (upload(attendee, photo()).get_json() for _ in range(2))
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = attendee.post(WALL, json={"text": "pic", "image_ids": [one["id"]]}, headers=key)
    replay = attendee.post(WALL, json={"text": "pic", "image_ids": [one["id"]]}, headers=key)
    other = attendee.post(WALL, json={"text": "pic", "image_ids": [two["id"]]}, headers=key)

    assert first.status_code == replay.status_code == 201
    assert replay.get_json() == first.get_json()
    assert other.status_code == 422
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"


# --- over the socket ------------------------------------------------------------------------


def test_socket_posts_carry_images_and_respect_no_photos(
    demo: dict[str, int], clean_app: Flask, attendee: Api
) -> None:
    image = upload(attendee, photo(), alt="the poster").get_json()
    client = socketio.test_client(clean_app, namespace="/live", auth={"token": attendee.token})
    try:
        refused = client.emit(
            "post",
            {"room": f"session:{demo['SSNR02']}", "text": "slide!", "client_id": "c1",
             "image_ids": [image["id"]]},
            namespace="/live", callback=True,
        )
        accepted = client.emit(
            "post",
            {"room": "conference:nrc26", "text": "poster!", "client_id": "c2",
             "image_ids": [image["id"]]},
            namespace="/live", callback=True,
        )
        malformed = client.emit(
            "post",
            {"room": "conference:nrc26", "text": "x", "client_id": "c3", "image_ids": "1"},
            namespace="/live", callback=True,
        )
    finally:
        client.disconnect(namespace="/live")

    assert refused["ok"] is False and refused["error"]["code"] == "no_photos"
    assert accepted["ok"] is True
    assert [i["alt"] for i in accepted["post"]["images"]] == ["the poster"]
    assert malformed["ok"] is False and malformed["error"]["field"] == "image_ids"
