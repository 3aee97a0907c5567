#!/usr/bin/env bash
# Quick start 1: set everything up, build the demo project in ./demo-project, show its status.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
.venv/bin/qda demo demo-project --force
.venv/bin/qda status --project demo-project
.venv/bin/qda export bilaga2 --project demo-project
.venv/bin/qda export bilaga2 --project demo-project --format md
.venv/bin/qda export bilaga2 --project demo-project --format docx
.venv/bin/qda delphi results "Nya indikatorer (demo)" --project demo-project
.venv/bin/qda export delphi-final --project demo-project --format docx
