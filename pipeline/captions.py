"""Burned-in captions and the hook title card, written as an ASS subtitle file for libass.

Words are grouped into short chunks (one to four words, broken at pauses and at the end of
a sentence) shown at most two lines tall, inside the platform safe zone: TikTok, Reels
and Shorts cover roughly the bottom fifth of a vertical video with their buttons and
description, and the top tenth with the account bar. Each template is a set of
settings (font, size, colours, position, behaviour); the fonts are Debian font packages
(``fonts-roboto``, ``fonts-noto-core``, ``fonts-dejavu-core``) found by fontconfig name.

The ASS canvas (``PlayResX``/``PlayResY``) is the output frame itself, so sizes and
margins below are fractions of the output height and mean the same on every aspect ratio.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

from pipeline.errors import RenderError
from pipeline.types import Word
from pipeline.words import CaptionWord

# Top and bottom bands that the platforms cover with their own interface.
SAFE_TOP = 0.10
SAFE_BOTTOM = 0.20
# A pause at least this long (seconds) starts a new chunk.
CHUNK_GAP = 0.5
# A chunk stays on screen this long after its last word at most, unless the next starts.
LINGER = 0.4
# How long the hook title card stays up (seconds), and its fade in and out (ms).
HOOK_SECONDS = 3.0
HOOK_FADE_MS = (150, 300)


@dataclasses.dataclass(frozen=True)
class CaptionTemplate:
    """How captions look. Colours are ``RRGGBB``; sizes and positions are fractions of the height.

    ``mode``: ``plain`` shows the chunk; ``highlight`` recolours the word being spoken;
    ``karaoke`` fills each word with ``highlight_colour`` as it is spoken. Words a user
    emphasised (:class:`pipeline.words.CaptionWord`) are drawn in ``emphasis_colour``.
    ``bottom`` is where the chunk's lowest line sits, as a share of the height from the
    bottom; it must clear :data:`SAFE_BOTTOM`.
    """

    name: str
    font: str
    size: float
    colour: str = "FFFFFF"
    outline_colour: str = "000000"
    highlight_colour: str = "FFFFFF"
    emphasis_colour: str = "FFE81F"
    outline: float = 0.004
    shadow: float = 0.0
    bold: bool = False
    uppercase: bool = False
    box: bool = False  # an opaque box behind the text instead of an outline
    mode: str = "plain"
    max_words: int = 4
    max_chars: int = 22  # per line; a longer chunk is split onto two lines
    bottom: float = 0.30


TEMPLATES: dict[str, CaptionTemplate] = {
    template.name: template
    for template in (
        # White text with a black outline: readable on any footage, the safe default.
        CaptionTemplate(name="clean", font="Roboto", size=0.045, bold=True, outline=0.004, shadow=0.002),
        # The "Hormozi" look: heavy upper-case words, two or three at a time, the spoken
        # one in yellow, placed higher up where the eye already is.
        CaptionTemplate(
            name="hormozi", font="Roboto Black", size=0.058, uppercase=True, outline=0.006, shadow=0.003,
            highlight_colour="FFE81F", emphasis_colour="39FF6A", mode="highlight", max_words=3, max_chars=14,
            bottom=0.36,
        ),
        # Karaoke: the chunk appears grey-white and fills with green word by word. Lines
        # of 18 characters stay clear of the like/share buttons on the right
        # (pipeline/safe_zones.json; the clip report checks it).
        CaptionTemplate(
            name="karaoke", font="Noto Sans", size=0.048, bold=True, colour="FFFFFF",
            highlight_colour="39FF6A", outline=0.004, mode="karaoke", max_chars=18,
        ),
        # Minimal: small regular text on a dark box, low but above Shorts' bottom area
        # (which starts 25 % up) and narrow enough to miss the buttons on the right.
        CaptionTemplate(
            name="minimal", font="DejaVu Sans", size=0.034, outline=0.006, outline_colour="101010",
            box=True, max_chars=24, bottom=0.28,
        ),
    )
}  # fmt: skip
DEFAULT_TEMPLATE = "hormozi"
# A caption style's bounds (fractions of the height). The highest position and the
# largest size together keep two lines below the top band (0.70 + 2 * 0.09 < 1 - SAFE_TOP).
SIZE_RANGE = (0.025, 0.09)
BOTTOM_RANGE = (SAFE_BOTTOM, 0.70)
STROKE_RANGE = (0.0, 0.02)  # outline and shadow


@dataclasses.dataclass(frozen=True)
class CaptionStyle:
    """A brand kit's look laid over a caption template (:meth:`apply`): each field that is
    set replaces the template's; ``""`` or ``None`` keeps it. Units are the template's:
    colours ``RRGGBB``, ``size``, ``outline``, ``shadow`` and ``bottom`` fractions of the
    output height. The template keeps its behaviour (mode, case, weight, chunking)."""

    font: str = ""
    colour: str = ""
    highlight_colour: str = ""
    outline_colour: str = ""
    outline: float | None = None
    shadow: float | None = None
    size: float | None = None
    bottom: float | None = None

    def apply(self, base: CaptionTemplate) -> CaptionTemplate:
        """``base`` with this style's settings; raises :class:`RenderError` naming one out of range."""
        changes: dict = {}
        if self.font:
            # The font name is a field of the ASS style line: a comma or a line break would end it.
            if len(self.font) > 100 or not self.font.isprintable() or "," in self.font:
                raise RenderError("The caption font name must be a font family name without commas.")
            changes["font"] = self.font
        for name in ("colour", "highlight_colour", "outline_colour"):
            value = getattr(self, name)
            if value:
                if not re.fullmatch(r"[0-9A-Fa-f]{6}", value):
                    raise RenderError(f"The caption {name.replace('_', ' ')} must be six hex digits (RRGGBB).")
                changes[name] = value.upper()
        for name, (low, high) in (("size", SIZE_RANGE), ("bottom", BOTTOM_RANGE), ("outline", STROKE_RANGE),
                                  ("shadow", STROKE_RANGE)):  # fmt: skip
            value = getattr(self, name)
            if value is not None:
                if not low <= value <= high:
                    raise RenderError(f"The caption {name} must be between {low:g} and {high:g} of the height.")
                changes[name] = float(value)
        return dataclasses.replace(base, **changes)


def template(name: str) -> CaptionTemplate:
    """The template called ``name``; raises :class:`RenderError` listing the real ones."""
    if name not in TEMPLATES:
        raise RenderError(f"Unknown caption template {name!r}; use one of {', '.join(TEMPLATES)}.")
    return TEMPLATES[name]


def chunk_words(words: Sequence[Word], max_words: int = 4, max_chars: int = 22) -> list[list[Word]]:
    """Group words into caption chunks of 1 to ``max_words`` words and at most two lines.

    A chunk ends after a word ending a sentence or clause, before a pause of
    :data:`CHUNK_GAP`, or when adding the next word would exceed two lines of
    ``max_chars``.
    """
    chunks: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        if not word.text.strip():
            continue
        if current:
            text = " ".join(w.text.strip() for w in [*current, word])
            if (
                len(current) >= max_words
                or word.start - current[-1].end >= CHUNK_GAP
                or len(text) > 2 * max_chars
                or current[-1].text.strip()[-1] in ".?!,;:"
            ):
                chunks.append(current)
                current = []
        current.append(word)
    if current:
        chunks.append(current)
    return chunks


def build_ass(
    words: Sequence[Word],
    clip_start: float,
    clip_end: float,
    width: int,
    height: int,
    template_name: str = DEFAULT_TEMPLATE,
    *,
    captions: bool = True,
    hook_text: str = "",
    caption_style: CaptionStyle | None = None,
) -> str:
    """An ASS document for a clip of the source from ``clip_start`` to ``clip_end``.

    Word times are source times; events are on the clip's timeline (0 at ``clip_start``),
    and words outside the clip are dropped. With ``hook_text`` the document opens with a
    title card for the first :data:`HOOK_SECONDS`. ``caption_style`` (a brand kit's) is
    laid over the template.
    """
    style = template(template_name)
    if caption_style is not None:
        style = caption_style.apply(style)
    lines = [_header(width, height, style)]
    duration = clip_end - clip_start
    if hook_text.strip():
        fade_in, fade_out = HOOK_FADE_MS
        text = _escape(hook_text.strip())
        lines.append(_event(0.0, min(HOOK_SECONDS, duration), "Hook", f"{{\\fad({fade_in},{fade_out})}}{text}"))
    if captions:
        inside = [w for w in words if w.end > clip_start and w.start < clip_end]
        chunks = chunk_words(inside, style.max_words, style.max_chars)
        for i, chunk in enumerate(chunks):
            following = chunks[i + 1][0].start if i + 1 < len(chunks) else clip_end
            end = min(following, chunk[-1].end + LINGER, clip_end)
            lines.extend(_chunk_events(chunk, clip_start, end, style))
    return "\n".join(lines) + "\n"


def write_ass(path: Path, document: str) -> Path:
    path.write_text(document, encoding="utf-8")
    return path


def _chunk_events(chunk: list[Word], clip_start: float, end: float, style: CaptionTemplate) -> list[str]:
    texts = [_escape(w.text.strip().upper() if style.uppercase else w.text.strip()) for w in chunk]
    emoji = [_escape(w.emoji.strip()) if isinstance(w, CaptionWord) else "" for w in chunk]
    emphasised = [isinstance(w, CaptionWord) and w.emphasis for w in chunk]

    def part(j: int, colour: str = "") -> str:
        """Word ``j`` as shown: in ``colour`` (else the emphasis colour if emphasised), then its emoji."""
        colour = colour or (style.emphasis_colour if emphasised[j] else "")
        text = f"{_colour_tag(colour)}{texts[j]}{{\\r}}" if colour else texts[j]
        return f"{text} {emoji[j]}" if emoji[j] else text

    split = _line_break([f"{t} {e}".strip() for t, e in zip(texts, emoji, strict=True)], style.max_chars)
    start = max(0.0, chunk[0].start - clip_start)
    stop = end - clip_start
    if style.mode == "karaoke":
        parts = []
        for i, word in enumerate(chunk):
            # \kf counts centiseconds from the previous word's fill, so each word's
            # length runs from its start to the next word's start (or its own end).
            until = chunk[i + 1].start if i + 1 < len(chunk) else word.end
            fill = f"{{\\kf{max(1, round((until - word.start) * 100))}}}"
            # An emphasised word fills with the emphasis colour; the template's fill comes back after it.
            text = texts[i]
            if emphasised[i]:
                text = f"{_colour_tag(style.emphasis_colour)}{text}{_colour_tag(style.highlight_colour)}"
            parts.append(f"{fill}{text} {emoji[i]}" if emoji[i] else f"{fill}{text}")
        return [_event(start, stop, "Caption", _join(parts, split))]
    if style.mode == "highlight":
        # One event per spoken word, back to back, each with that word recoloured.
        events = []
        for i, word in enumerate(chunk):
            begin = start if i == 0 else word.start - clip_start
            until = chunk[i + 1].start - clip_start if i + 1 < len(chunk) else stop
            parts = [part(j, style.highlight_colour if j == i else "") for j in range(len(chunk))]
            events.append(_event(begin, max(until, begin + 0.01), "Caption", _join(parts, split)))
        return events
    return [_event(start, stop, "Caption", _join([part(j) for j in range(len(chunk))], split))]


def _colour_tag(rgb: str) -> str:
    """An override tag setting the fill colour: ASS takes it as &HBBGGRR&, without the alpha byte."""
    return f"{{\\c&H{_ass_colour(rgb)[4:]}&}}"


def _line_break(texts: list[str], max_chars: int) -> int:
    """Index of the word that starts the second line, or 0 when one line is enough."""
    if len(" ".join(texts)) <= max_chars or len(texts) < 2:
        return 0
    # The break that makes the two lines most even.
    return min(
        range(1, len(texts)),
        key=lambda i: abs(len(" ".join(texts[:i])) - len(" ".join(texts[i:]))),
    )


def _join(parts: list[str], split: int) -> str:
    if not split:
        return " ".join(parts)
    return " ".join(parts[:split]) + "\\N" + " ".join(parts[split:])


def _header(width: int, height: int, style: CaptionTemplate) -> str:
    def px(fraction: float) -> int:
        return max(0, round(fraction * height))

    border_style = 3 if style.box else 1
    back = "&H60000000" if style.box else "&H80000000"
    # Karaoke fills from SecondaryColour to PrimaryColour, so the fill colour is primary.
    primary = style.highlight_colour if style.mode == "karaoke" else style.colour
    secondary = style.colour
    side = round(width * 0.06)
    caption = (
        f"Style: Caption,{style.font},{px(style.size)},{_ass_colour(primary)},{_ass_colour(secondary)},"
        f"{_ass_colour(style.outline_colour)},{back},{-1 if style.bold else 0},0,0,0,100,100,0,0,"
        f"{border_style},{px(style.outline)},{px(style.shadow)},2,{side},{side},{px(style.bottom)},1"
    )
    # The hook card: dark text on a white box under the top safe band, wrapped by libass.
    hook = (
        f"Style: Hook,Roboto Black,{px(0.042)},&H00141414,&H00141414,&H00FFFFFF,&H00FFFFFF,0,0,0,0,"
        f"100,100,0,0,3,{px(0.014)},0,8,{round(width * 0.08)},{round(width * 0.08)},"
        f"{px(SAFE_TOP + 0.04)},1"
    )
    return "\n".join(
        [
            "[Script Info]",
            "ScriptType: v4.00+",
            f"PlayResX: {width}",
            f"PlayResY: {height}",
            "WrapStyle: 0",
            "ScaledBorderAndShadow: yes",
            "",
            "[V4+ Styles]",
            "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
            "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, "
            "Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
            caption,
            hook,
            "",
            "[Events]",
            "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
        ]
    )


def _event(start: float, end: float, style: str, text: str) -> str:
    return f"Dialogue: 0,{_clock(start)},{_clock(end)},{style},,0,0,0,,{text}"


def _clock(seconds: float) -> str:
    centis = max(0, round(seconds * 100))
    hours, rest = divmod(centis, 360_000)
    minutes, rest = divmod(rest, 6000)
    return f"{hours}:{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}"


def _ass_colour(rgb: str) -> str:
    """``RRGGBB`` as ASS's ``&HAABBGGRR`` (opaque)."""
    return f"&H00{rgb[4:6]}{rgb[2:4]}{rgb[0:2]}".upper()


def _escape(text: str) -> str:
    """Text safe inside an ASS event: no override blocks, line breaks or hard spaces."""
    text = text.replace("{", "(").replace("}", ")").replace("\\", "/")
    return re.sub(r"\s+", " ", text)


def template_style(
    name: str, width: int, height: int, caption_style: CaptionStyle | None = None
) -> dict:
    """How template ``name`` (with a brand kit's ``caption_style`` laid over it) draws on a
    ``width`` x ``height`` frame, as JSON-able data for the editor's live preview.

    ``caption`` and ``hook`` are read back from the very style lines :func:`build_ass`
    writes (pixels on that frame; colours ``#RRGGBB``, ``*Alpha`` 0 opaque to 1 clear;
    ``alignment`` ASS's numpad position), so the preview cannot drift from the render.
    ``mode``, ``uppercase``, ``highlight``, ``emphasis`` and the chunking limits are the
    template's behaviour; ``hookSeconds`` and ``hookFadeMs`` time the title card. Raises
    :class:`RenderError` for an unknown template or an out-of-range style.
    """
    style = template(name)
    if caption_style is not None:
        style = caption_style.apply(style)
    lines = _header(width, height, style).splitlines()
    fields = next(line for line in lines if line.startswith("Format: Name,")).removeprefix("Format: ").split(", ")
    drawn = {}
    for line in lines:
        if line.startswith("Style: "):
            values = dict(zip(fields, line.removeprefix("Style: ").split(","), strict=True))
            drawn[values["Name"]] = _style_data(values)
    return {
        "name": style.name, "width": width, "height": height, "caption": drawn["Caption"], "hook": drawn["Hook"],
        "mode": style.mode, "uppercase": style.uppercase, "highlight": f"#{style.highlight_colour.upper()}",
        "emphasis": f"#{style.emphasis_colour.upper()}", "maxWords": style.max_words, "maxChars": style.max_chars,
        "linger": LINGER, "hookSeconds": HOOK_SECONDS, "hookFadeMs": list(HOOK_FADE_MS),
    }  # fmt: skip


def caption_chunks(words: Sequence[Word], name: str) -> list[dict]:
    """The chunks :func:`build_ass` shows for ``words`` with template ``name``: for each,
    ``words`` (indexes into ``words``), ``split`` (the index within the chunk that starts
    the second line, 0 for one line), ``start`` and ``end`` (source seconds; the end is
    before the clip's own end cuts it)."""
    style = template(name)
    position = {id(word): i for i, word in enumerate(words)}
    chunks = chunk_words(words, style.max_words, style.max_chars)
    out = []
    for i, chunk in enumerate(chunks):
        texts = [w.text.strip().upper() if style.uppercase else w.text.strip() for w in chunk]
        emoji = [w.emoji.strip() if isinstance(w, CaptionWord) else "" for w in chunk]
        end = chunk[-1].end + LINGER
        if i + 1 < len(chunks):
            end = min(end, chunks[i + 1][0].start)
        out.append({
            "words": [position[id(w)] for w in chunk], "start": chunk[0].start, "end": round(end, 3),
            "split": _line_break([f"{t} {e}".strip() for t, e in zip(texts, emoji, strict=True)], style.max_chars),
        })  # fmt: skip
    return out


def _style_data(values: dict[str, str]) -> dict:
    """One ASS style line's fields as the preview draws them."""

    def colour(ass: str) -> tuple[str, float]:
        # &HAABBGGRR: the alpha byte counts up from opaque.
        digits = ass.removeprefix("&H").rjust(8, "0")
        alpha, blue, green, red = digits[0:2], digits[2:4], digits[4:6], digits[6:8]
        return f"#{red}{green}{blue}".upper(), round(int(alpha, 16) / 255, 3)

    primary, primary_alpha = colour(values["PrimaryColour"])
    secondary, _ = colour(values["SecondaryColour"])
    outline, _ = colour(values["OutlineColour"])
    back, back_alpha = colour(values["BackColour"])
    return {
        "font": values["Fontname"], "size": int(values["Fontsize"]), "bold": values["Bold"] == "-1",
        "primary": primary, "primaryAlpha": primary_alpha, "secondary": secondary, "outlineColour": outline,
        "back": back, "backAlpha": back_alpha, "box": values["BorderStyle"] == "3",
        "outline": int(values["Outline"]), "shadow": int(values["Shadow"]), "alignment": int(values["Alignment"]),
        "marginL": int(values["MarginL"]), "marginR": int(values["MarginR"]), "marginV": int(values["MarginV"]),
    }  # fmt: skip
