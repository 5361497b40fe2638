"""Finding the moments of a transcript worth clipping (issue 4).

``find_moments`` runs the local analyser (``ClipBasic``) or a language model
(``ClipAnything``: Gemini, or any OpenAI-compatible chat endpoint) and returns ranked
:class:`Moment` objects shaped like ScaleReach's and Ssemble's clips.
"""

from pipeline.moments.api import find_moments
from pipeline.moments.boundaries import cuts_from_list
from pipeline.moments.models import Hooks, Moment, MomentsResult, SubScores
from pipeline.moments.options import GENRES, MODELS, PREFERRED_LENGTHS, ClipOptions, ClipOptionsError

__all__ = [
    "GENRES",
    "MODELS",
    "PREFERRED_LENGTHS",
    "ClipOptions",
    "ClipOptionsError",
    "Hooks",
    "Moment",
    "MomentsResult",
    "SubScores",
    "cuts_from_list",
    "find_moments",
]
