#!/bin/sh
# The lower bounds, tested (sh tools/check.sh lower-constraints, tox -e
# lower-constraints): a virtualenv, .venv-lower (or $LOWER_VENV), with the
# minimum versions requirements.txt declares (lower-constraints.txt), this
# project and the simulator; then the unit tests and the functional tests
# (the real `openstack` of that virtualenv against the simulator). Re-running
# is quick: nothing is installed again while lower-constraints.txt, the
# requirements and the simulator's pyproject.toml are unchanged.
# Tests that fail only for a known difference of the old OpenStackClient
# stack are listed, with the reason, in tools/lower-constraints-exclude.txt.
set -eu
cd "$(dirname "$0")/.."
VENV=${LOWER_VENV:-.venv-lower}
PYTHON=${PYTHON:-python3}
start=$(date +%s)
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
stamp="$VENV/.lower-installed"
want=$(cat lower-constraints.txt requirements.txt test-requirements.txt setup.cfg \
    simulator/pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    "$VENV/bin/pip" install -q -c lower-constraints.txt -r requirements.txt -r test-requirements.txt
    "$VENV/bin/pip" install -q --no-deps -e .
    "$VENV/bin/pip" install -q -c lower-constraints.txt -e ./simulator
    echo "$want" > "$stamp"
fi
# What was installed is what lower-constraints.txt says, or this run proves nothing.
"$VENV/bin/python" - <<'PYTHON'
import sys
from importlib import metadata

wrong = []
for line in open("lower-constraints.txt"):
    line = line.split("#", 1)[0].strip()
    if line:
        name, version = line.split("==")
        if metadata.version(name) != version:
            wrong.append(f"{name} {metadata.version(name)} (want {version})")
if wrong:
    sys.exit("lower-constraints: installed " + ", ".join(wrong))
PYTHON
echo "lower-constraints: $VENV ready in $(( $(date +%s) - start ))s"
# stestr repositories of their own (inside the gitignored .stestr/), so that
# `stestr last` of the usual runs is not this one.
mkdir -p .stestr/lower-unit .stestr/lower-functional
EXCLUDE=tools/lower-constraints-exclude.txt
echo "lower-constraints: not run here, see $EXCLUDE: $(grep -cv '^ *\(#\|$\)' "$EXCLUDE") test patterns"
status=0
"$VENV/bin/stestr" --repo-url .stestr/lower-unit --test-path ./tests/unit --top-dir ./ \
    run --exclude-list "$EXCLUDE" || status=$?
"$VENV/bin/stestr" --repo-url .stestr/lower-functional --test-path ./tests/functional --top-dir ./ \
    run --concurrency 2 --exclude-list "$EXCLUDE" || status=$?
echo "lower-constraints: finished in $(( $(date +%s) - start ))s (exit $status)"
exit $status
