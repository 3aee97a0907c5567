#!/usr/bin/env bash
# Quick start 2: set everything up, lint, and run the whole test suite.
#   bash scripts/test.sh            the whole suite, both stores, browser tests (what CI runs)
#   bash scripts/test.sh --fast     the fast lane: tests not marked slow, on SQLite only (no
#                                   PostgreSQL server is started, so that half is skipped,
#                                   visibly); under 3 minutes, see BENCHMARKS.md
# Any other argument goes to pytest (e.g. `bash scripts/test.sh --fast tests/test_cli.py`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fast=0
args=()
for arg in "$@"; do
  if [ "$arg" = "--fast" ]; then fast=1; else args+=("$arg"); fi
done
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
.venv/bin/ruff check .
.venv/bin/mypy      # the packages [tool.mypy] in pyproject.toml names
# One pytest-xdist worker per core (QDA_TEST_WORKERS=0: one process, no workers); a
# module, and all the browser tests, keep to one worker (tests/conftest.py).
workers="-n ${QDA_TEST_WORKERS:-auto} --dist loadgroup"
if [ "$fast" -eq 1 ]; then
  unset QDA_TEST_PG_URL QDA_TEST_PG_CTL QDA_TEST_PG_RESTART_URL QDA_TEST_PG_RESTART_CTL CI
  exec .venv/bin/python -m pytest -m "not slow" --ignore=tests/e2e $workers "${args[@]}"
fi
# PostgreSQL, the team store: a throw-away server on loopback for the tests on both stores
source scripts/pg.sh
.venv/bin/python -m pytest $workers --durations=25 "${args[@]}"
