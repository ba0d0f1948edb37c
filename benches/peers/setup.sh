#!/usr/bin/env bash
# Creates benches/peers/.venv with the pinned peers from PyPI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install --quiet --upgrade pip
"$here/.venv/bin/pip" install --quiet -r "$here/requirements.txt"
"$here/.venv/bin/pip" freeze > "$here/.venv/installed.txt"
echo "peers installed in $here/.venv"
