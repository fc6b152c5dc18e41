#!/bin/sh
# Each check, written once: run-tests.sh runs them all, tox runs one per env.
#   sh tools/check.sh pep8|unit|functional|realnova|docs|build|lower-constraints|ja-docs
set -eu
cd "$(dirname "$0")/.."
case "${1:?usage: check.sh pep8|unit|functional|realnova|docs|build|lower-constraints|ja-docs}" in
pep8)
    flake8 fj_osc_actions simulator tests tools ;;
unit)
    stestr run ;;
functional)
    stestr --test-path ./tests/functional run --concurrency 2 ;;
realnova)
    sh tools/realnova/run.sh ;;
docs)
    sphinx-build -q -W --keep-going -b html -d doc/build/doctrees/en doc/source doc/build/html/en
    sphinx-build -q -W --keep-going -b html -d doc/build/doctrees/ja doc/source/ja doc/build/html/ja ;;
build)
    # sdist and wheel from a clean clone, twine, PyPI's rules, installs (own venv)
    sh tools/check-build.sh ;;
lower-constraints)
    # unit and functional tests on the minimum versions (own venv, .venv-lower)
    sh tools/lower-constraints.sh ;;
ja-docs)
    # every Japanese page has its English page's sections, code blocks, commands and changes
    python3 tools/check_ja_docs.py ;;
*)
    echo "check.sh: unknown check '$1'" >&2
    exit 2 ;;
esac
