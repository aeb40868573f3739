# Shared by scripts/start and scripts/test: make .venv at the repo root and install into it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"

need_python() {
  if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    echo "Madoguchi needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
    exit 1
  fi
}

ensure_venv() {  # ensure_venv EXTRAS
  need_python
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    "$PYTHON" -m venv .venv
  fi
  local stamp=".venv/.installed-$1"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> installing Madoguchi and its dependencies into .venv ($1)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[$1]"
    touch "$stamp"
  fi
}
