#!/usr/bin/env bash
# Quick start 2: set everything up, lint, and run the whole test suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
