#!/usr/bin/env bash
# Install everything and run the whole test suite: lint, types, unit tests on SQLite and PostgreSQL,
# and browser tests (Playwright on Debian's Chromium, with axe accessibility checks).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/pdftoppm ]; then
  echo "== installing Debian's Chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium poppler-utils fonts-dejavu-core >/dev/null
fi

export SNU_DATA_DIR=${SNU_DATA_DIR:-$(mktemp -d)}
echo "== ruff"
.venv/bin/ruff check snu bench e2e
.venv/bin/ruff format --check snu bench e2e
echo "== mypy"
.venv/bin/mypy snu

echo "== unit tests on SQLite"
.venv/bin/pytest -n 2 snu

PG_URL=${SNU_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "== starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
echo "== unit tests on PostgreSQL"
DATABASE_URL=$PG_URL .venv/bin/pytest -n 2 snu

echo "== browser tests"
.venv/bin/pytest -p no:django e2e
