#!/usr/bin/env bash
# Run the review app on the demo project (built first if it is not there) at
# http://127.0.0.1:8501; arguments go to `qda app` (e.g. --port 8600).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
[ -f demo-project/qda.toml ] || .venv/bin/qda demo demo-project
exec .venv/bin/qda app demo-project "$@"
