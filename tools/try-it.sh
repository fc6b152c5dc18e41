#!/bin/sh
# Try fj-osc-actions with no FJcloud-O contract: install it into .venv, start
# the bundled FJcloud-O simulator on 127.0.0.1, run `openstack server action
# list` and `openstack server action show` against it, then stop it.
set -eu
cd "$(dirname "$0")/.."
echo "Installing fj-osc-actions and python-openstackclient into ${VENV:-.venv} ..."
REQUIREMENTS="requirements.txt"
. tools/ensure-venv.sh
exec "$VENV/bin/python" tools/demo.py
