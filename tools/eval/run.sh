#!/usr/bin/env bash
# Runs tools/eval/eval.py in its own virtualenv (.marquee/eval-venv, git-ignored), creating it on first use.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
venv="$root/.marquee/eval-venv"
if ! "$venv/bin/python" -c 'import numpy, scipy' 2>/dev/null; then
  echo "eval: creating $venv (numpy, scipy from PyPI)" >&2
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
exec "$venv/bin/python" "$here/eval.py" "$@"
