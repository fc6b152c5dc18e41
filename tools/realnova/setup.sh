#!/bin/sh
# The realnova environment: a virtualenv (.venv-realnova, or $REALNOVA_VENV)
# with the real OpenStack Nova 34.0.0 and this project, pinned by
# tools/realnova/constraints.txt. Re-running it is quick: nothing is
# installed again while the constraints and requirements are unchanged.
# pip's cache is used (~/.cache/pip), so a new virtualenv costs about a minute
# once the wheels are cached.
set -eu
cd "$(dirname "$0")/../.."
VENV=${REALNOVA_VENV:-.venv-realnova}
PYTHON=${PYTHON:-python3}
NOVA=nova==34.0.0
start=$(date +%s)
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
stamp="$VENV/.realnova-installed"
want=$(cat tools/realnova/constraints.txt setup.cfg requirements.txt test-requirements.txt \
    simulator/pyproject.toml \
    | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    "$VENV/bin/pip" install -q -c tools/realnova/constraints.txt "$NOVA" \
        -r requirements.txt -r test-requirements.txt
    "$VENV/bin/pip" install -q --no-deps -e .
    "$VENV/bin/pip" install -q -c tools/realnova/constraints.txt -e ./simulator
    echo "$want" > "$stamp"
fi
echo "realnova: $VENV ready ($NOVA) in $(( $(date +%s) - start ))s"
