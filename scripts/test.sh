#!/usr/bin/env bash
# Runs every check: set-up (idempotent), lint, then the tests (default all; or unit,
# integration, e2e, with optional filters as for scripts/run-tests.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
npm run typecheck --silent
npm run lint --silent
node scripts/run-tests.mjs "${@:-all}"
