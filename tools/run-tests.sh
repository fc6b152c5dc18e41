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
echo "== unit tests"
stestr run
echo "== functional tests"
stestr --test-path ./tests/functional run --concurrency 2
echo "== docs (English and Japanese, warnings are errors)"
sphinx-build -q -W --keep-going -b html -d doc/build/doctrees/en doc/source doc/build/html/en
sphinx-build -q -W --keep-going -b html -d doc/build/doctrees/ja doc/source/ja doc/build/html/ja
echo "All checks passed."
