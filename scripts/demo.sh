#!/usr/bin/env bash
# Install everything and start SNU with demo data on http://127.0.0.1:8000 (logins are printed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/snu demo "$@"
