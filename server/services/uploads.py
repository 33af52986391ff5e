"""Images for posts: sniffed, bounded, re-encoded without metadata, stored by content hash.

Nothing the phone put in the file survives: the pixels are decoded (EXIF orientation applied
first), colour-converted to sRGB and encoded afresh, so EXIF (GPS included), XMP, comments,
ICC profiles and anything appended to the file (polyglots) are gone. The type is decided by
the first bytes, never by the file name or the client's content type. Files are named by the
SHA-256 of what is stored, so a name never changes meaning and can be cached for a year.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from PIL import Image, ImageCms, ImageOps
from sqlalchemy import select, update

from server.clock import now
from server.config import instance_dir
from server.domain.text.validation import TextValidationError, validate_text
from server.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import Upload, User
from server.services.compose import text_error

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Decoded size cap (a 10 MiB file can decode to gigabytes): 50 megapixels, 16k a side.
MAX_PIXELS = 50_000_000
MAX_SIDE = 16_384
DISPLAY_MAX = 2048
THUMB_MAX = 400
MAX_ALT_CHARS = 1500
MAX_IMAGES_PER_POST = 4

#: Pillow format -> (content type, file extension); the only formats accepted.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
CONTENT_TYPES = {ext: content_type for content_type, ext in FORMATS.values()}
MEDIA_NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp)$")


class UnsupportedImage(AppError):
    status = 415
    code = "unsupported_image_type"


class InvalidImage(AppError):
    status = 422
    code = "invalid_image"


class ImageTooLarge(AppError):
    status = 422
    code = "image_too_large"


@dataclass(frozen=True)
class Rendition:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedImage:
    format: str
    display: Rendition
    thumbnail: Rendition

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]


def sniff(head: bytes) -> str | None:
    """The format the magic bytes announce, if it is one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        img.mode == "P" and "transparency" in img.info
    )


def _to_srgb(img: Image.Image, mode: str) -> Image.Image:
    """Convert to ``mode`` in sRGB, using the embedded ICC profile when there is one."""
    icc = img.info.get("icc_profile")
    if icc and img.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            converted = ImageCms.profileToProfile(
                img,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                ImageCms.createProfile("sRGB"),
                outputMode=mode,
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken profile: plain conversion below
    return img.convert(mode)


def _oriented(img: Image.Image) -> Image.Image:
    """Apply the EXIF orientation; a corrupt EXIF block leaves the pixels as stored."""
    try:
        return ImageOps.exif_transpose(img)
    except Exception:  # Pillow raises assorted errors for damaged EXIF
        return img.copy()


def _encode(img: Image.Image, fmt: str) -> bytes:
    img.info = {}  # nothing of the source (EXIF, XMP, comment, ICC) may ride along
    buffer = io.BytesIO()
    if fmt == "JPEG":
        img.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    elif fmt == "PNG":
        img.save(buffer, "PNG", compress_level=6)
    else:
        img.save(buffer, "WEBP", quality=85, method=4)
    return buffer.getvalue()


def process_image(data: bytes) -> ProcessedImage:
    """Decode, bound, orient and re-encode ``data``: a display version and a thumbnail."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise AppError(
            f"Images are at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB.",
            code="payload_too_large",
            status=413,
        )
    fmt = sniff(data[:16])
    if fmt is None:
        raise UnsupportedImage("Images must be JPEG, PNG or WebP files.", field="file")
    too_large = ImageTooLarge(
        f"Images are at most {MAX_PIXELS // 1_000_000} megapixels and {MAX_SIDE} pixels a side.",
        field="file",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[fmt]) as source:
                width, height = source.size
                if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                    raise too_large
                if fmt == "JPEG":
                    source.draft("RGB", (DISPLAY_MAX, DISPLAY_MAX))  # decode at 1/2..1/8 scale
                source.load()
                oriented = _oriented(source)
                oriented.info.setdefault("icc_profile", source.info.get("icc_profile"))
                mode = "RGBA" if fmt != "JPEG" and _has_alpha(oriented) else "RGB"
                pixels = _to_srgb(oriented, mode)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise too_large from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise InvalidImage("This file could not be read as an image.", field="file") from exc
    display = pixels.copy()
    display.thumbnail((DISPLAY_MAX, DISPLAY_MAX), Image.Resampling.LANCZOS)
    thumb = display.copy()
    thumb.thumbnail((THUMB_MAX, THUMB_MAX), Image.Resampling.LANCZOS)
    return ProcessedImage(
        fmt,
        Rendition(_encode(display, fmt), display.width, display.height),
        Rendition(_encode(thumb, fmt), thumb.width, thumb.height),
    )


# --- storage --------------------------------------------------------------------------------


def upload_dir() -> Path:
    """``UPLOAD_DIR`` if configured, else ``<instance>/uploads``."""
    configured = current_app.config.get("UPLOAD_DIR")
    return Path(configured) if configured else instance_dir() / "uploads"


def media_name(data: bytes, extension: str) -> str:
    return f"{hashlib.sha256(data).hexdigest()}.{extension}"


def media_path(name: str) -> Path | None:
    """Where a served name lives; ``None`` for a name we could never have made."""
    if not MEDIA_NAME.match(name):
        return None
    return upload_dir() / name[:2] / name


def _store(data: bytes, name: str) -> None:
    """Write once, atomically: a reader never sees half a file."""
    path = media_path(name)
    assert path is not None
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- use-cases ------------------------------------------------------------------------------


def check_alt(alt: Any) -> str:
    if alt is None:
        return ""
    try:
        return validate_text(alt, max_chars=MAX_ALT_CHARS, allow_empty=True, field="alt")
    except TextValidationError as exc:
        raise text_error(exc) from exc


def check_uploader(user: User) -> None:
    if user.blocked_at is not None:
        raise Forbidden("This account is blocked from posting.", code="account_blocked")


def do_create_upload(user: User, data: bytes, alt: str | None) -> Upload:
    """Process and store an image for ``user``'s next post; the row is committed."""
    check_uploader(user)
    alt_text = check_alt(alt)
    processed = process_image(data)
    name = media_name(processed.display.data, processed.extension)
    thumb_name = media_name(processed.thumbnail.data, processed.extension)
    _store(processed.display.data, name)
    _store(processed.thumbnail.data, thumb_name)
    upload = Upload(
        owner_id=user.id,
        content_type=processed.content_type,
        name=name,
        width=processed.display.width,
        height=processed.display.height,
        thumb_name=thumb_name,
        thumb_width=processed.thumbnail.width,
        thumb_height=processed.thumbnail.height,
        size_bytes=len(processed.display.data),
        alt=alt_text,
        created_at=now(),
    )
    db.session.add(upload)
    db.session.commit()
    return upload


def media_url(name: str) -> str:
    return f"/media/{name}"


def image_wire(upload: Upload) -> dict[str, Any]:
    """An attached image as clients see it (URLs are relative to the server)."""
    return {
        "url": media_url(upload.name),
        "thumbnail_url": media_url(upload.thumb_name),
        "width": upload.width,
        "height": upload.height,
        "alt": upload.alt,
    }


def upload_wire(upload: Upload) -> dict[str, Any]:
    return {
        "id": upload.id,
        **image_wire(upload),
        "thumbnail_width": upload.thumb_width,
        "thumbnail_height": upload.thumb_height,
        "content_type": upload.content_type,
        "size": upload.size_bytes,
    }


def check_images(user: User, image_ids: Sequence[int]) -> None:
    """Each id names an unused upload of ``user``; at most four, no repeats."""
    if not image_ids:
        return
    if len(image_ids) > MAX_IMAGES_PER_POST:
        raise ValidationFailed(
            f"A post carries at most {MAX_IMAGES_PER_POST} images.",
            code="too_many_images",
            field="image_ids",
        )
    if len(set(image_ids)) != len(image_ids):
        raise ValidationFailed(
            "The same image is listed twice.", code="duplicate_image", field="image_ids"
        )
    rows = {
        row.id: row
        for row in db.session.execute(
            select(Upload.id, Upload.owner_id, Upload.post_id).where(Upload.id.in_(image_ids))
        )
    }
    for upload_id in image_ids:
        row = rows.get(upload_id)
        if row is None or row.owner_id != user.id:
            raise NotFound(f"There is no upload {upload_id} of yours.", field="image_ids")
        if row.post_id is not None:
            raise Conflict(
                f"Image {upload_id} is already on a post; upload it again to reuse it.",
                code="image_in_use",
                field="image_ids",
            )


def claim_images(user: User, post_id: int, image_ids: Sequence[int]) -> None:
    """Attach the images to the post in the post's own transaction; a concurrent claim of
    the same image loses (the conditional update changes no row)."""
    for position, upload_id in enumerate(image_ids):
        result = db.session.execute(
            update(Upload)
            .where(
                Upload.id == upload_id,
                Upload.owner_id == user.id,
                Upload.post_id.is_(None),
            )
            .values(post_id=post_id, position=position)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            raise Conflict(
                f"Image {upload_id} is already on a post; upload it again to reuse it.",
                code="image_in_use",
                field="image_ids",
            )
