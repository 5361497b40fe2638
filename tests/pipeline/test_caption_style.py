"""The live preview's caption description (pipeline.captions.template_style and
caption_chunks) against what build_ass writes for the render."""

from __future__ import annotations

import itertools

import pytest

from pipeline import captions
from pipeline.captions import CaptionStyle, build_ass, caption_chunks, template_style
from pipeline.errors import RenderError
from pipeline.types import Word
from pipeline.words import CaptionWord

WORDS = [
    Word("So", 0.0, 0.3), Word("here", 0.35, 0.6), Word("is", 0.65, 0.8), Word("the", 0.85, 1.0),
    Word("thing.", 1.05, 1.5), Word("Nobody", 2.4, 2.8), CaptionWord("tells", 2.85, 3.1, emphasis=True, emoji="🔥"),
    Word("you", 3.15, 3.4), Word("about", 3.45, 3.8), Word("starting", 3.85, 4.3), Word("companies", 4.35, 5.0),
]  # fmt: skip
# The fields of build_ass's style lines, in its Format line's order.
FIELDS = ["Name", "Fontname", "Fontsize", "PrimaryColour", "SecondaryColour", "OutlineColour", "BackColour", "Bold",
          "Italic", "Underline", "StrikeOut", "ScaleX", "ScaleY", "Spacing", "Angle", "BorderStyle", "Outline",
          "Shadow", "Alignment", "MarginL", "MarginR", "MarginV", "Encoding"]  # fmt: skip


def written_styles(document: str) -> dict[str, dict[str, str]]:
    """The style lines of an ASS document, by name."""
    lines = [line.removeprefix("Style: ").split(",") for line in document.splitlines() if line.startswith("Style: ")]
    return {values[0]: dict(zip(FIELDS, values, strict=True)) for values in lines}


def rgb(ass: str) -> str:
    """``&HAABBGGRR`` as ``#RRGGBB``."""
    return f"#{ass[8:10]}{ass[6:8]}{ass[4:6]}"


def assert_same(drawn: dict, written: dict[str, str]) -> None:
    assert drawn["font"] == written["Fontname"]
    assert drawn["size"] == int(written["Fontsize"])
    assert drawn["primary"] == rgb(written["PrimaryColour"])
    assert drawn["secondary"] == rgb(written["SecondaryColour"])
    assert drawn["outlineColour"] == rgb(written["OutlineColour"])
    assert drawn["back"] == rgb(written["BackColour"])
    assert drawn["backAlpha"] == pytest.approx(int(written["BackColour"][2:4], 16) / 255, abs=0.001)
    assert drawn["bold"] == (written["Bold"] == "-1")
    assert drawn["box"] == (written["BorderStyle"] == "3")
    assert (drawn["outline"], drawn["shadow"]) == (int(written["Outline"]), int(written["Shadow"]))
    assert drawn["alignment"] == int(written["Alignment"])
    assert (drawn["marginL"], drawn["marginR"], drawn["marginV"]) == (
        int(written["MarginL"]), int(written["MarginR"]), int(written["MarginV"]))  # fmt: skip


@pytest.mark.parametrize("name", list(captions.TEMPLATES))
@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080), (1080, 1080)])
def test_it_describes_each_template_as_build_ass_writes_it(name, size):
    written = written_styles(build_ass(WORDS, 0.0, 5.0, *size, name, hook_text="Why?"))
    style = template_style(name, *size)
    assert_same(style["caption"], written["Caption"])
    assert_same(style["hook"], written["Hook"])
    template = captions.TEMPLATES[name]
    assert (style["mode"], style["uppercase"], style["maxWords"], style["maxChars"]) == (
        template.mode, template.uppercase, template.max_words, template.max_chars)  # fmt: skip
    assert style["highlight"] == f"#{template.highlight_colour}"
    assert style["emphasis"] == f"#{template.emphasis_colour}"
    assert (style["hookSeconds"], style["hookFadeMs"]) == (captions.HOOK_SECONDS, list(captions.HOOK_FADE_MS))


def test_it_lays_a_brand_kit_over_the_template_as_the_render_does():
    kit = CaptionStyle(font="DejaVu Serif", colour="FF0000", outline_colour="0000FF", size=0.07, bottom=0.5)
    written = written_styles(build_ass(WORDS, 0.0, 5.0, 1080, 1920, "clean", caption_style=kit))
    style = template_style("clean", 1080, 1920, kit)
    assert_same(style["caption"], written["Caption"])
    assert (style["caption"]["font"], style["caption"]["primary"]) == ("DejaVu Serif", "#FF0000")


def test_it_refuses_what_the_render_refuses():
    with pytest.raises(RenderError, match="Unknown caption template"):
        template_style("glitter", 1080, 1920)
    with pytest.raises(RenderError, match="caption size"):
        template_style("clean", 1080, 1920, CaptionStyle(size=0.5))


@pytest.mark.parametrize("name", list(captions.TEMPLATES))
def test_it_chunks_the_words_as_the_burned_captions_do(name):
    chunks = caption_chunks(WORDS, name)
    template = captions.TEMPLATES[name]
    expected = captions.chunk_words(WORDS, template.max_words, template.max_chars)
    assert [[WORDS[i] for i in chunk["words"]] for chunk in chunks] == expected
    events = [line for line in build_ass(WORDS, 0.0, 9.0, 1080, 1920, name).splitlines() if line.startswith("Dialogue")]
    # Each chunk's (first) event starts when the chunk does; the chunk ends before the next one starts.
    starts = sorted({line.split(",")[1] for line in events})
    for chunk in chunks:
        assert captions._clock(chunk["start"]) in starts
    for before, after in itertools.pairwise(chunks):
        assert before["end"] <= after["start"]
    two_lines = [line for line in events if "\\N" in line]
    assert bool(two_lines) == any(chunk["split"] for chunk in chunks)
