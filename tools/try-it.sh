#!/bin/sh
# Try fj-osc-actions with no FJcloud-O contract: install it into .venv, start
# the bundled FJcloud-O simulator on 127.0.0.1, run `openstack server action
# list` and `openstack server action show` against it, then stop it.
set -eu
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
echo "Installing fj-osc-actions and python-openstackclient into $VENV ..."
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -r requirements.txt
"$VENV/bin/python" -m pip install --quiet --no-deps -e .
exec "$VENV/bin/python" tools/demo.py
