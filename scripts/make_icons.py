"""Draw the PWA's PNG icons (192, 512 and a maskable 512) with Pillow; the PNGs are committed.

The artwork is web/static/icon.svg's (a speech bubble on the theme colour), drawn with
shapes so no SVG renderer is needed. The maskable icon keeps the bubble inside the central
safe zone (a circle of 40 % of the size) on a full-bleed background.

    .venv/bin/python scripts/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "web" / "static" / "icons"
THEME = (0x1F, 0x4E, 0x79, 255)
WHITE = (255, 255, 255, 255)
SUPERSAMPLE = 4


def _bubble(draw: ImageDraw.ImageDraw, size: int, scale: float, offset: float) -> None:
    """The bubble of icon.svg (a 64-unit design) scaled by ``scale`` and shifted by ``offset``."""

    def p(x: float, y: float) -> tuple[float, float]:
        return (offset + x * scale, offset + y * scale)

    draw.rounded_rectangle([p(10, 18), p(54, 44)], radius=4 * scale, fill=WHITE)
    draw.polygon([p(20, 43), p(30, 43), p(20, 52)], fill=WHITE)
    width = max(1, round(3 * scale))
    for y, x_end in ((28, 42), (34, 36)):
        draw.line([p(22, y), p(x_end, y)], fill=THEME, width=width)
        for x in (22, x_end):
            cx, cy = p(x, y)
            r = width / 2
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=THEME)


def icon(size: int, *, maskable: bool) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle([0, 0, big, big], fill=THEME)
        # The 64-unit design's bubble spans x 10..54: the design at 80 % keeps the bubble
        # (diagonal about 70 % of the icon) inside the safe zone.
        scale = big * 0.8 / 64
        _bubble(draw, big, scale, (big - 64 * scale) / 2)
    else:
        scale = big / 64
        draw.rounded_rectangle([0, 0, big - 1, big - 1], radius=14 * scale, fill=THEME)
        _bubble(draw, big, scale, 0)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icon(192, maskable=False).save(OUT / "icon-192.png", optimize=True)
    icon(512, maskable=False).save(OUT / "icon-512.png", optimize=True)
    icon(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)
    for name in ("icon-192.png", "icon-512.png", "maskable-512.png"):
        print(OUT / name)


if __name__ == "__main__":
    main()
