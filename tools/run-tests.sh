#!/bin/sh
# Run every check CI runs: style, unit tests, functional tests (the real
# `openstack` against the bundled simulator on 127.0.0.1), and the docs.
# Needs only Python 3 with venv and pip; everything else goes into .venv.
set -eu
cd "$(dirname "$0")/.."
REQUIREMENTS="requirements.txt test-requirements.txt doc/requirements.txt"
. tools/ensure-venv.sh

export PATH="$PWD/$VENV/bin:$PATH"
echo "== pep8"
flake8 fj_osc_actions tests tools
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
logged unit stestr run
echo "== functional tests"
logged functional stestr --test-path ./tests/functional run --concurrency 2
echo "== docs (English and Japanese, warnings are errors)"
sphinx-build -q -W --keep-going -b html -d doc/build/doctrees/en doc/source doc/build/html/en
sphinx-build -q -W --keep-going -b html -d doc/build/doctrees/ja doc/source/ja doc/build/html/ja
echo "All checks passed."
echo "Tests: $(count Passed) passed, $(count Failed) failed"
