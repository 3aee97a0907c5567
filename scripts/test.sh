#!/usr/bin/env bash
# Quick start 2: set everything up, lint, and run the whole test suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
# Debian tools the tests drive for real: LibreOffice renders docx exports to PDF, pdftoppm
# turns the PDF into pages to look at, Chromium runs the app's browser tests (Playwright
# drives it; no browser is ever downloaded).
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v libreoffice >/dev/null || need+=(libreoffice-writer-nogui fonts-dejavu-core)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} from Debian …"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${need[@]}" >/dev/null
fi
# PostgreSQL, the team store: a throw-away server on loopback for the tests on both stores
source scripts/pg.sh
.venv/bin/ruff check .
.venv/bin/mypy      # the packages [tool.mypy] in pyproject.toml names
.venv/bin/python -m pytest "$@"
