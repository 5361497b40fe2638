"""Tests for brand kits in the engine: a caption style laid over a template in the ASS, and
a logo overlaid in the render's one ffmpeg pass, checked on real rendered frames."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from pipeline.captions import TEMPLATES, CaptionStyle, build_ass
from pipeline.config import PipelineConfig
from pipeline.errors import RenderError
from pipeline.probe import probe
from pipeline.render import RenderOptions, render_clip
from pipeline.types import Word
from pipeline.watermark import Logo

CONFIG = PipelineConfig(render_preset="ultrafast")
S18 = "vid_face_landscape_liveportrait_s18.mp4"
RED, GREEN, BLUE = "FF0000", "00FF00", "0000FF"


def words(text: str, start: float = 0.0, step: float = 0.4) -> list[Word]:
    return [Word(w, start + i * step, start + i * step + step * 0.8) for i, w in enumerate(text.split())]


def style_line(document: str) -> list[str]:
    return next(line for line in document.splitlines() if line.startswith("Style: Caption")).split(",")


def test_it_lays_a_caption_style_over_the_template_in_the_ass():
    style = CaptionStyle(font="Liberation Serif", colour=RED, highlight_colour="00ff00", outline_colour=BLUE,
                         outline=0.005, shadow=0.0, size=0.05, bottom=0.5)  # fmt: skip
    document = build_ass(words("we built this in a weekend"), 0, 5, 1080, 1920, "hormozi", caption_style=style)
    fields = style_line(document)
    # Name, font, size, primary, secondary, outline colour ... outline, shadow, alignment, margins.
    assert fields[1:4] == ["Liberation Serif", str(round(0.05 * 1920)), "&H000000FF"]
    assert fields[5] == "&H00FF0000"  # the outline colour, as &HAABBGGRR
    assert (fields[16], fields[17], fields[21]) == (str(round(0.005 * 1920)), "0", str(round(0.5 * 1920)))
    # The template keeps its behaviour: upper case, the spoken word in the (kit's) highlight colour.
    assert "{\\c&H00FF00&}WE{\\r}" in document
    plain = style_line(build_ass(words("we built this"), 0, 5, 1080, 1920, "hormozi"))
    assert plain[1] == "Roboto Black" and plain[3] == "&H00FFFFFF"


def test_it_keeps_the_templates_settings_a_style_leaves_empty():
    document = build_ass(words("hello there"), 0, 5, 1080, 1920, "minimal", caption_style=CaptionStyle(colour=RED))
    fields = style_line(document)
    minimal = TEMPLATES["minimal"]
    assert fields[1:4] == [minimal.font, str(round(minimal.size * 1920)), "&H000000FF"]
    assert fields[21] == str(round(minimal.bottom * 1920))


@pytest.mark.parametrize(
    ("style", "message"),
    [
        (CaptionStyle(font="Roboto,0,0"), "The caption font name must be a font family name without commas."),
        (CaptionStyle(colour="red"), "The caption colour must be six hex digits (RRGGBB)."),
        (CaptionStyle(outline_colour="#000000"), "The caption outline colour must be six hex digits (RRGGBB)."),
        (CaptionStyle(size=0.5), "The caption size must be between 0.025 and 0.09 of the height."),
        (CaptionStyle(bottom=0.05), "The caption bottom must be between 0.2 and 0.7 of the height."),
    ],
)
def test_it_refuses_a_caption_style_out_of_range(style, message):
    with pytest.raises(RenderError) as raised:
        build_ass(words("hello"), 0, 5, 1080, 1920, "clean", caption_style=style)
    assert raised.value.message == message


def test_it_refuses_a_logo_that_is_not_a_png_before_rendering(media_dir, tmp_path):
    fake = tmp_path / "logo.png"
    fake.write_text("not an image")
    source = media_dir / S18
    result = render_clip(source, probe(source, CONFIG, require_audio=False), 1.0, 3.0, [],
                         RenderOptions(logo=Logo(str(fake))), tmp_path / "c.mp4", tmp_path / "c.jpg", CONFIG,
                         scene_cuts=[])  # fmt: skip
    assert result.error and result.error_message == "The brand kit's logo is not a PNG image."
    assert not (tmp_path / "c.mp4").exists()


def frame(path: Path, at: float, width: int, height: int) -> np.ndarray:
    """The clip's frame at ``at`` seconds as RGB."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{at}", "-i", str(path), "-frames:v", "1", "-f", "rawvideo",
         "-pix_fmt", "rgb24", "pipe:1"], capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3).astype(np.int16)


def share(pixels: np.ndarray, rgb: tuple[int, int, int]) -> float:
    """The share of ``pixels`` within 70 of ``rgb`` on every channel."""
    return float((np.abs(pixels - np.array(rgb)).max(axis=-1) < 70).mean())


@pytest.mark.slow
def test_it_burns_the_kits_colours_and_overlays_its_logo_in_one_pass(media_dir, tmp_path):
    logo = tmp_path / "logo.png"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=blue:s=64x64", "-frames:v", "1",
                    str(logo)], check=True)  # fmt: skip
    source = media_dir / S18
    options = RenderOptions(
        short_side=360, auto_hook=False, caption_template="hormozi",
        caption_style=CaptionStyle(colour=RED, highlight_colour=GREEN, size=0.07, bottom=0.3),
        logo=Logo(str(logo), corner="top-left", scale=0.2, opacity=1.0),
    )  # fmt: skip
    out = tmp_path / "clip.mp4"
    result = render_clip(source, probe(source, CONFIG, require_audio=False), 1.0, 3.0,
                         words("one two three four five", start=1.0), options, out, tmp_path / "clip.jpg", CONFIG,
                         scene_cuts=[])  # fmt: skip
    assert not result.error, result.error_message
    width, height = result.width, result.height
    assert abs(result.duration - 2.0) <= 0.1
    # At 0.5 s "TWO" is spoken: it is green, "ONE" and "THREE" beside it red.
    picture = frame(out, 0.5, width, height)
    band = picture[round(height * 0.55) : round(height * 0.72)]
    assert share(band, (255, 0, 0)) > 0.01
    assert share(band, (0, 255, 0)) > 0.003
    # The logo: a blue square 72 px wide, 4% of the width in, under the top 10% band.
    margin, top, side = round(0.04 * width), round(0.10 * height), round(0.2 * width)
    corner = picture[top + 4 : top + side - 4, margin + 4 : margin + side - 4]
    assert share(corner, (0, 0, 255)) > 0.95
    assert share(picture[top : top + side, width - margin - side : width - margin], (0, 0, 255)) < 0.05
