"""A brand's logo laid over a clip inside the render's single ffmpeg pass.

The logo is a PNG the caller made itself (the dashboard re-encodes every upload, see
``brands.logos``), given to ffmpeg as one more input with its demuxer pinned
(``-f png_pipe``) and joined to the framed picture with ``overlay`` before the captions
are burned, so captions stay readable over it and the clip is still encoded once.

Placement follows the captions' safe zone (:mod:`pipeline.captions`): a top corner sits
just under the band the platforms cover at the top, a bottom corner just above the one
at the bottom, both :data:`SIDE_MARGIN` of the width in from the side.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pipeline.captions import SAFE_BOTTOM, SAFE_TOP
from pipeline.errors import RenderError

CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
SCALE_RANGE = (0.05, 0.4)
OPACITY_RANGE = (0.1, 1.0)
SIDE_MARGIN = 0.04
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclasses.dataclass(frozen=True)
class Logo:
    """A logo to overlay: ``path`` a local PNG; ``corner`` one of :data:`CORNERS`; ``scale``
    the side of the square it is fitted into, as a share of the frame's width; ``opacity``
    from 0.1 to 1 (1: as drawn)."""

    path: str
    corner: str = "top-right"
    scale: float = 0.15
    opacity: float = 1.0


def check(logo: Logo) -> None:
    """Refuse a logo the render could not draw, before any work: raises :class:`RenderError`."""
    if logo.corner not in CORNERS:
        raise RenderError(f"The logo corner must be one of {', '.join(CORNERS)}.")
    if not SCALE_RANGE[0] <= logo.scale <= SCALE_RANGE[1]:
        raise RenderError(f"The logo size must be between {SCALE_RANGE[0]:g} and {SCALE_RANGE[1]:g} of the width.")
    if not OPACITY_RANGE[0] <= logo.opacity <= OPACITY_RANGE[1]:
        raise RenderError(f"The logo opacity must be between {OPACITY_RANGE[0]:g} and {OPACITY_RANGE[1]:g}.")
    try:
        with open(logo.path, "rb") as handle:
            head = handle.read(len(PNG_SIGNATURE))
    except OSError:
        raise RenderError("The brand kit's logo file is missing.") from None
    if head != PNG_SIGNATURE:
        raise RenderError("The brand kit's logo is not a PNG image.")


def input_args(logo: Logo) -> list[str | Path]:
    """The ffmpeg input of the logo, its demuxer pinned: one still frame, which ``overlay``
    repeats for the whole clip."""
    return ["-f", "png_pipe", "-i", Path(logo.path)]


def overlay_graph(logo: Logo, index: int, width: int, height: int, under: str, out: str) -> str:
    """Filtergraph chains that fit input ``index`` (the logo) into its square, fade it to
    its opacity and lay it over the pad ``under`` (e.g. ``[framed]``) in its corner, as ``out``."""
    side = max(2, round(logo.scale * width))
    margin = round(SIDE_MARGIN * width)
    x = f"{margin}" if logo.corner.endswith("left") else f"W-w-{margin}"
    y = f"{round(SAFE_TOP * height)}" if logo.corner.startswith("top") else f"H-h-{round(SAFE_BOTTOM * height)}"
    return (
        f"[{index}:v]format=rgba,scale={side}:{side}:force_original_aspect_ratio=decrease,"
        f"colorchannelmixer=aa={logo.opacity:.3f}[logo];"
        f"{under}[logo]overlay=x={x}:y={y}{out}"
    )
