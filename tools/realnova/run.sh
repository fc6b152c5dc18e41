#!/bin/sh
# Functional tests against the real Nova 34 compute API (tests/realnova):
# sets up .venv-realnova (tools/realnova/setup.sh), then runs the tests with
# stestr, one worker (one Nova for the whole run). Exits non-zero on failure.
# Arguments are passed to `stestr run` (e.g. a test filter).
set -eu
cd "$(dirname "$0")/../.."
VENV=${REALNOVA_VENV:-.venv-realnova}
start=$(date +%s)
sh tools/realnova/setup.sh
# A stestr repository of its own (inside the gitignored .stestr/), so that
# `stestr last` of the unit tests is not this run.
mkdir -p .stestr/realnova
status=0
"$VENV/bin/stestr" --repo-url .stestr/realnova --test-path ./tests/realnova --top-dir ./ \
    run --concurrency 1 "$@" || status=$?
echo "realnova: finished in $(( $(date +%s) - start ))s (exit $status)"
exit $status
