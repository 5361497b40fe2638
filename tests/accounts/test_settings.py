import os
import subprocess
import sys

import pytest

from tests.media import REPO_ROOT


def import_settings(**env) -> subprocess.CompletedProcess:
    environ = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", "import clipsite.settings"],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REDIS_URL", "http://localhost:6379"),
        ("DATABASE_URL", "notadb://x"),
        ("DEBUG", "maybe"),
        ("EMAIL_PORT", "smtp"),
        ("WHISPER_DEVICE", "tpu"),
        ("STORAGE_BACKEND", "ftp"),
        ("SIGNED_URL_TTL_SECONDS", "5"),
    ],
)
def test_it_stops_start_up_naming_the_bad_variable(variable, value):
    result = import_settings(**{variable: value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line and variable in last_line


def test_it_requires_a_bucket_for_s3_storage():
    result = import_settings(STORAGE_BACKEND="s3", AWS_STORAGE_BUCKET_NAME="")
    assert "AWS_STORAGE_BUCKET_NAME" in result.stderr


def test_it_switches_to_postgresql_with_database_url():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; import django; "
            "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clipsite.settings",
            "DATABASE_URL": "postgres://clip:pw@db.internal:5432/clipsite",
        },
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "clipsite"]


def test_it_documents_every_variable_it_reads():
    import re

    sources = [REPO_ROOT / "clipsite" / "settings.py", REPO_ROOT / "pipeline" / "config.py"]
    read = set()
    for path in sources:
        read |= set(
            re.findall(r'env_(?:str|bool|int|float)\(\s*(?:env|ENV),\s*"([A-Z0-9_]+)"', path.read_text())
        )
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (REPO_ROOT / ".env.example").read_text(), re.M))
    assert read, "the scan found no variables"
    assert read - documented == set()
