"""Django settings for Clipsite.

This is the only module of the project that reads ``os.environ``. Every variable is
documented in ``.env.example``; a bad value stops start-up with ImproperlyConfigured
naming the variable. Defaults run everything on one machine: SQLite, a local Redis and
local media under ``var/``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse, urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from pipeline.config import PipelineConfig, env_bool, env_float, env_int, env_str
from pipeline.errors import ConfigError

ENV = os.environ
BASE_DIR = Path(__file__).resolve().parent.parent


def _load() -> dict:
    """Parse the environment into settings values, turning ConfigError into ImproperlyConfigured."""
    try:
        return _parse(ENV)
    except ConfigError as exc:
        raise ImproperlyConfigured(exc.message) from None


def _parse(env) -> dict:
    # An empty value (as in .env.example) means the default, not the current folder.
    var_dir = Path(env_str(env, "CLIPSITE_VAR_DIR", "") or BASE_DIR / "var").resolve()
    redis_url = env_str(env, "REDIS_URL", "redis://127.0.0.1:6379/0")
    if urlparse(redis_url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(f"REDIS_URL must be a redis://, rediss:// or unix:// URL; got {redis_url!r}.")
    database_url = env_str(env, "DATABASE_URL", "")
    try:
        database = dj_database_url.parse(database_url, conn_max_age=60) if database_url else None
    except ValueError as exc:
        raise ConfigError(f"DATABASE_URL is not a database URL this build understands: {exc}") from None
    storage = env_str(env, "STORAGE_BACKEND", "local", choices=("local", "s3"))
    if storage == "s3" and not env_str(env, "AWS_STORAGE_BUCKET_NAME"):
        raise ConfigError("AWS_STORAGE_BUCKET_NAME must be set when STORAGE_BACKEND is s3.")
    return {
        "var_dir": var_dir,
        "debug": env_bool(env, "DEBUG", False),
        "secret_key": env_str(env, "SECRET_KEY", ""),
        "allowed_hosts": [h.strip() for h in env_str(env, "ALLOWED_HOSTS", "*").split(",") if h.strip()],
        "site_url": env_str(env, "SITE_URL", "http://127.0.0.1:8000").rstrip("/"),
        "https": env_bool(env, "HTTPS", False),
        "redis_url": redis_url,
        "database": database,
        "storage": storage,
        "email_host": env_str(env, "EMAIL_HOST", ""),
        "email_port": env_int(env, "EMAIL_PORT", 587, minimum=1, maximum=65535),
        "email_user": env_str(env, "EMAIL_HOST_USER", ""),
        "email_password": env_str(env, "EMAIL_HOST_PASSWORD", ""),
        "email_tls": env_bool(env, "EMAIL_USE_TLS", True),
        "from_email": env_str(env, "DEFAULT_FROM_EMAIL", "Clipsite <noreply@localhost>"),
        "ip_rate_per_min": env_int(env, "IP_RATE_PER_MIN", 600, minimum=1),
        "signed_url_ttl": env_int(env, "SIGNED_URL_TTL_SECONDS", 3600, minimum=60, maximum=7 * 24 * 3600),
        "source_retention_hours": env_int(env, "SOURCE_RETENTION_HOURS", 24, minimum=0),
        "pipeline": PipelineConfig.from_env(env),
        "hook_seconds": env_float(env, "HOOK_SECONDS", 30.0, minimum=1, maximum=600),
        "discovery_results": env_int(env, "DISCOVERY_RESULTS", 50, minimum=5, maximum=100),
        "enrich_global_max": env_int(env, "ENRICH_GLOBAL_MAX", 16, minimum=1),
        "platform_min_interval": env_float(env, "PLATFORM_MIN_INTERVAL", 1.0, minimum=0, maximum=60),
        "vpd_breakout": env_float(env, "VPD_BREAKOUT", 100_000, minimum=1),
        "accel_hot": env_float(env, "ACCEL_HOT", 20_000, minimum=1),
        "max_concurrent_jobs": env_int(env, "MAX_CONCURRENT_JOBS", 5, minimum=1),
        "job_retention_seconds": env_int(env, "JOB_RETENTION_SECONDS", 3600, minimum=60),
        "max_file_size_mb": env_int(env, "MAX_FILE_SIZE_MB", 2048, minimum=1),
        "process_api_workspace": env_str(env, "PROCESS_API_WORKSPACE", ""),
    }


_V = _load()

VAR_DIR: Path = _V["var_dir"]
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a random key generated once and kept in var/."""
    if _V["secret_key"]:
        return _V["secret_key"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _V["debug"]
ALLOWED_HOSTS = _V["allowed_hosts"]
SITE_URL = _V["site_url"]
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_rq",
    "django_htmx",
    "accounts",
    "videos",
    "clips",
    "tracking",
    "webhooks",
    "mcpserver",
    "brands",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "clipsite.middleware.LengthRequiredMiddleware",
    "clipsite.middleware.ApiGuardMiddleware",
    "clipsite.middleware.RedisOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.CurrentWorkspaceMiddleware",
]

ROOT_URLCONF = "clipsite.urls"
WSGI_APPLICATION = "clipsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.workspaces",
            ],
        },
    },
]

# IMMEDIATE takes SQLite's write lock when a transaction starts, so concurrent writers
# queue on the timeout instead of failing with "database is locked" when a read lock is
# upgraded mid-transaction.
_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASES = {
    "default": _V["database"]
    or {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "db.sqlite3",
        # A file, not Django's default shared in-memory database, so worker processes
        # and threads started by tests see the same rows as the test itself.
        "TEST": {"NAME": VAR_DIR / "test.sqlite3"},
    }
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**_SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

if _V["storage"] == "s3":
    _s3 = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str(ENV, "AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str(ENV, "AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str(ENV, "AWS_S3_REGION_NAME") or None,
            "access_key": env_str(ENV, "AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str(ENV, "AWS_SECRET_ACCESS_KEY") or None,
            "querystring_auth": True,
            "querystring_expire": _V["signed_url_ttl"],
            "file_overwrite": False,
            "default_acl": None,
            "signature_version": "s3v4",
        },
    }
    _default_storage = _s3
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

if _V["email_host"]:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _V["email_host"]
    EMAIL_PORT = _V["email_port"]
    EMAIL_HOST_USER = _V["email_user"]
    EMAIL_HOST_PASSWORD = _V["email_password"]
    EMAIL_USE_TLS = _V["email_tls"]
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = _V["from_email"]

REDIS_URL = _V["redis_url"]
# Every Redis client gives up quickly, so an unreachable or hung Redis costs a request
# seconds instead of hanging it (see clipsite.outage). RQ's workers raise the read
# timeout of their own connection above their blocking wait for jobs.
REDIS_TIMEOUTS = {"socket_connect_timeout": 2, "socket_timeout": 5}


def _with_timeouts(url: str) -> str:
    """``url`` with :data:`REDIS_TIMEOUTS` added to its query, unless it sets them itself."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    for name, seconds in REDIS_TIMEOUTS.items():
        query.setdefault(name, str(seconds))
    return urlunsplit(parts._replace(query=urlencode(query)))


RQ_QUEUES = {
    "default": {"URL": _with_timeouts(REDIS_URL), "DEFAULT_TIMEOUT": 3600},
    "render": {"URL": _with_timeouts(REDIS_URL), "DEFAULT_TIMEOUT": 1800},
}
RQ = {"DEFAULT_RESULT_TTL": 3600}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": dict(REDIS_TIMEOUTS),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "clipsite.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["clipsite.throttling.AccountRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["clipsite.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": None,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clipsite API",
    "DESCRIPTION": "Turn long videos into ranked, captioned vertical clips.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "VideoStatusEnum": "videos.models.Video.Status",
        "ClipStatusEnum": "clips.models.Clip.Status",
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags and operation ids come from the path after /api/; viralcli's /v1/ routes name their own.
    "SCHEMA_PATH_PREFIX": "/api",
}

# Security headers. HSTS and secure cookies only when the site is served over HTTPS.
HTTPS = _V["https"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

IP_RATE_PER_MIN = _V["ip_rate_per_min"]
SIGNED_URL_TTL_SECONDS = _V["signed_url_ttl"]
SOURCE_RETENTION_HOURS = _V["source_retention_hours"]
PIPELINE = _V["pipeline"]

# Trend intelligence (tracking/): seconds of a video's start transcribed as its hook; how
# many search results one discovery reads; enrichment jobs in flight across all accounts;
# seconds between two requests to one platform, across every worker.
HOOK_SECONDS = _V["hook_seconds"]
DISCOVERY_RESULTS = _V["discovery_results"]
ENRICH_GLOBAL_MAX = _V["enrich_global_max"]
PLATFORM_MIN_INTERVAL = _V["platform_min_interval"]
# Trend events (docs/trends.md): ``breakout`` when a tracked video's true views per day
# cross VPD_BREAKOUT, ``accelerating`` when its velocity grows by ACCEL_HOT views/day per day.
VPD_BREAKOUT = _V["vpd_breakout"]
ACCEL_HOT = _V["accel_hot"]

# The process API (processapi/, docs/dialects.md): at most MAX_CONCURRENT_JOBS of a
# workspace's process-API videos run at once (within its plan's slots); they and their
# files are deleted JOB_RETENTION_SECONDS after they finish; uploads stop at
# MAX_FILE_SIZE_MB (or the plan's limit, if lower). PROCESS_API_WORKSPACE, a workspace
# slug, lets requests without a key act in that workspace: single-user installs only.
MAX_CONCURRENT_JOBS = _V["max_concurrent_jobs"]
JOB_RETENTION_SECONDS = _V["job_retention_seconds"]
MAX_FILE_SIZE_MB = _V["max_file_size_mb"]
PROCESS_API_WORKSPACE = _V["process_api_workspace"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
