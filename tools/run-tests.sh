#!/bin/sh
# Run every check CI runs: style, the Japanese docs against the English ones,
# unit tests, functional tests (the real `openstack` against the bundled
# simulator on 127.0.0.1, then against the real Nova compute API from PyPI,
# in .venv-realnova), the unit and functional tests again on the minimum
# versions (.venv-lower), the docs, and the sdist and wheel as PyPI and a
# user get them (.venv-build). Needs only Python 3 with venv and pip;
# everything else goes into .venv and those virtualenvs.
set -eu
cd "$(dirname "$0")/.."
REQUIREMENTS="requirements.txt test-requirements.txt doc/requirements.txt"
. tools/ensure-venv.sh

export PATH="$PWD/$VENV/bin:$PATH"
echo "== pep8"
sh tools/check.sh pep8
echo "== Japanese docs follow the English ones"
sh tools/check.sh ja-docs
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
echo "== unit and functional tests on the minimum versions (own venv)"
logged lower-constraints sh tools/check.sh lower-constraints
echo "== docs (English and Japanese, warnings are errors)"
sh tools/check.sh docs
echo "== build and publish: sdist and wheel from a clean clone, installed (own venv)"
sh tools/check.sh build
echo "All checks passed."
echo "Tests: $(count Passed) passed, $(count Failed) failed"
