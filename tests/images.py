"""Test images made with Pillow: photos with EXIF GPS, PNG headers that lie about their size."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (41.0, 52.0, 48.0),
    ExifTags.GPS.GPSLongitudeRef: "W",
    ExifTags.GPS.GPSLongitude: (87.0, 37.0, 5.0),
}


def photo(
    size: tuple[int, int] = (640, 480),
    fmt: str = "JPEG",
    *,
    gps: bool = False,
    orientation: int | None = None,
    mode: str = "RGB",
    **save: Any,
) -> bytes:
    """A two-colour picture (left half red, right half blue), optionally with EXIF GPS."""
    color: Any = (255, 0, 0, 255) if mode == "RGBA" else (255, 0, 0)
    img = Image.new(mode, size, color)
    img.paste((0, 0, 255) if mode != "RGBA" else (0, 0, 255, 128),
              (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    if gps or orientation:
        exif[ExifTags.Base.Make] = "PhoneMaker"
        exif[ExifTags.Base.Model] = "Phone 15"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.IFD.GPSInfo] = GPS
    buffer = io.BytesIO()
    if len(exif):
        save["exif"] = exif
    img.save(buffer, fmt, **save)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF
    )


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header announces ``width`` x ``height`` (a decompression bomb's
    shape, without the gigabytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _chunk(b"IEND", b"")
    )


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
