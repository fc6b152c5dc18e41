# Sourced by try-it.sh and run-tests.sh: make .venv (Python 3 with venv and
# pip is all a machine needs), install the files listed in REQUIREMENTS and
# this project.
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
requirement_options=""
for requirements in $REQUIREMENTS; do
    requirement_options="$requirement_options -r $requirements"
done
# shellcheck disable=SC2086 # one option per word
"$VENV/bin/python" -m pip install --quiet $requirement_options
"$VENV/bin/python" -m pip install --quiet --no-deps -e .
# The simulator is a distribution of its own (simulator/), with its own
# dependencies: the plugin does not need it, the demo and the tests do.
"$VENV/bin/python" -m pip install --quiet -e ./simulator
