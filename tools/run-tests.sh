#!/bin/sh
# Run every check CI runs: style, unit tests, functional tests (the real
# `openstack` against the bundled simulator on 127.0.0.1, then against the
# real Nova compute API from PyPI, in .venv-realnova), and the docs.
# Needs only Python 3 with venv and pip; everything else goes into .venv.
set -eu
cd "$(dirname "$0")/.."
REQUIREMENTS="requirements.txt test-requirements.txt doc/requirements.txt"
. tools/ensure-venv.sh

export PATH="$PWD/$VENV/bin:$PATH"
echo "== pep8"
sh tools/check.sh pep8
LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT
logged() {  # logged <name> <command...>: run, print its output, keep it for count
    name=$1
    shift
    status=0
    "$@" > "$LOGS/$name.log" 2>&1 || status=$?
    cat "$LOGS/$name.log"
    return $status
}
count() {  # count <Passed|Failed>: sum of stestr's totals in this run
    grep -h "^ - ${1}: " "$LOGS"/*.log | awk '{s += $3} END {print s + 0}'
}
echo "== unit tests"
logged unit sh tools/check.sh unit
echo "== functional tests"
logged functional sh tools/check.sh functional
echo "== functional tests against the real Nova 34 compute API (own venv)"
logged realnova sh tools/check.sh realnova
echo "== docs (English and Japanese, warnings are errors)"
sh tools/check.sh docs
echo "All checks passed."
echo "Tests: $(count Passed) passed, $(count Failed) failed"
