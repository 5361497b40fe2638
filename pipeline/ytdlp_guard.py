"""yt-dlp under the SSRF guard: every connection it opens goes to an address the guard judged.

:class:`GuardedYoutubeDL` is a ``YoutubeDL`` whose request director holds a single
handler, :class:`GuardedRequestsRH`: yt-dlp's requests-based handler with each of its
sessions passed through :func:`pipeline.netguard.guard_session`. So every page, API
call, manifest, fragment and media request, and every redirect hop inside them, opens
its socket through :func:`pipeline.netguard.connect`, which resolves the name once,
judges each answer and connects only to a judged address (no DNS rebinding). yt-dlp's
other handlers (urllib, websockets, curl_cffi) are left out because they connect by
themselves; proxies, from the environment or from an extractor, are ignored because a
proxied connection would judge the proxy instead of the target.

Only yt-dlp's native downloaders run: :meth:`GuardedYoutubeDL.dl` refuses ffmpeg,
rtmpdump, aria2c and the rest, which would fetch past the guard. The native HLS
downloader can still hand a stream it cannot read to ffmpeg by itself; ffmpeg is then
given ``-protocol_whitelist file,crypto,data`` before each input, so it cannot open a
network connection and such a stream fails instead. Format tests (``check_formats``)
are off, because yt-dlp runs them with its default downloaders.

What remains: yt-dlp solves YouTube's challenges by running deno with ``--no-remote``
and no network permission, so that process fetches nothing; requests that need a
handler left out here (websocket live chats, browser impersonation) fail rather than
go unguarded.
"""

from __future__ import annotations

import functools

import yt_dlp
from yt_dlp.downloader import get_suitable_downloader
from yt_dlp.downloader.dash import DashSegmentsFD
from yt_dlp.downloader.f4m import F4mFD
from yt_dlp.downloader.hls import HlsFD
from yt_dlp.downloader.http import HttpFD
from yt_dlp.downloader.ism import IsmFD
from yt_dlp.networking._requests import RequestsRH
from yt_dlp.networking.exceptions import NoSupportingHandlers

from pipeline.config import PipelineConfig
from pipeline.errors import IngestError, PipelineError
from pipeline.netguard import guard_session

# Downloaders that fetch through YoutubeDL.urlopen, and so through the guard.
NATIVE_DOWNLOADERS = (HttpFD, HlsFD, DashSegmentsFD, F4mFD, IsmFD)

# Options the guard depends on; they override whatever the caller passes.
GUARD_PARAMS = {
    "external_downloader": {"default": "native"},
    "external_downloader_args": {"ffmpeg_i": ["-protocol_whitelist", "file,crypto,data"]},
    "check_formats": False,
}


class GuardedRequestsRH(RequestsRH):
    """yt-dlp's requests handler with guarded sessions and no proxies."""

    def __init__(self, *, allow_private: bool, **kwargs):
        super().__init__(**kwargs)
        self._allow_private = allow_private

    def _create_instance(self, cookiejar, legacy_ssl_support=None):  # type: ignore[no-untyped-def]
        session = super()._create_instance(cookiejar=cookiejar, legacy_ssl_support=legacy_ssl_support)
        return guard_session(session, allow_private=self._allow_private)

    def _get_proxies(self, request):  # type: ignore[no-untyped-def]
        return {}


class GuardedYoutubeDL(yt_dlp.YoutubeDL):
    """A YoutubeDL whose every request passes the SSRF guard at connect time (see the module docstring).

    A refusal surfaces as the guard's :class:`IngestError`, out of whichever yt-dlp call
    made the request.
    """

    def __init__(self, params: dict, config: PipelineConfig):
        self._config = config
        super().__init__({**params, **GUARD_PARAMS})

    def build_request_director(self, handlers, preferences=None):  # type: ignore[no-untyped-def]
        guarded = functools.partial(GuardedRequestsRH, allow_private=self._config.allow_private_urls)
        return super().build_request_director([guarded], preferences)

    def urlopen(self, req):  # type: ignore[no-untyped-def]
        try:
            return super().urlopen(req)
        except NoSupportingHandlers as exc:
            # The director treats any exception that is not yt-dlp's own as a handler
            # failure and reports "no supporting handlers"; the guard's refusal is the reason.
            refused = next((e for e in exc.unexpected_errors if isinstance(e, PipelineError)), None)
            if refused is None:
                raise
            raise refused from None

    def dl(self, name, info, subtitle=False, test=False):  # type: ignore[no-untyped-def]
        if info.get("url"):
            downloader = get_suitable_downloader(info, self.params, to_stdout=name == "-")
            if downloader not in NATIVE_DOWNLOADERS:
                protocol = info.get("protocol") or "unknown"
                raise IngestError(
                    f"The video is only offered over a protocol that cannot be fetched safely ({protocol})."
                )
        return super().dl(name, info, subtitle=subtitle, test=test)

