#!/bin/sh
# The build and publish checks (sh tools/check.sh build, tox -e build):
#  1. python -m build makes an sdist and a wheel from a clean clone of HEAD
#     (pbr reads the version from git, so this needs a git checkout; what is
#     not committed is not in the build, as in CI);
#  2. twine check --strict on both (the README renders as PyPI shows it);
#  3. tools/check_dists.py: PyPI's upload rules, what the wheel holds (the
#     package and its compiled catalogs, nothing else) and requires;
#  4. each of the wheel and the sdist installed into a fresh virtualenv next
#     to python-openstackclient: pip adds nothing but fj-osc-actions (not
#     the simulator, its executable, Werkzeug or PyYAML), and
#     `openstack server action show --help` works in English and, with
#     LANG=ja_JP.UTF-8, in Japanese.
# The tools (tools/build-requirements.txt) go into .venv-build (or
# $BUILD_VENV), installed again only when that file changes. pip's cache is
# used; python-openstackclient comes from the package index.
# --upload: also fail on what only PyPI's upload refuses (Project-URLs that
# are paths in the repository).
set -eu
cd "$(dirname "$0")/.."
UPLOAD=""
[ "${1:-}" = "--upload" ] && UPLOAD=--upload
VENV=${BUILD_VENV:-.venv-build}
PYTHON=${PYTHON:-python3}
start=$(date +%s)
say() { echo "build: $*"; }
fail() { echo "build: FAILED: $*" >&2; exit 1; }

git rev-parse --git-dir > /dev/null 2>&1 || fail "not a git checkout: pbr needs git metadata to build"
[ -z "$(git status --porcelain --untracked-files=no)" ] \
    || say "note: uncommitted changes are not in this build (it builds HEAD, $(git rev-parse --short HEAD))"

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
stamp="$VENV/.build-installed"
want=$(sha256sum tools/build-requirements.txt | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    "$VENV/bin/python" -m pip install -q -r tools/build-requirements.txt
    echo "$want" > "$stamp"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
git clone -q --no-hardlinks . "$WORK/src"
"$VENV/bin/python" -m build --outdir "$WORK/dist" "$WORK/src" > "$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log" >&2; fail "python -m build"; }
wheel=$(ls "$WORK"/dist/*.whl)
sdist=$(ls "$WORK"/dist/*.tar.gz)
say "built $(basename "$sdist") and $(basename "$wheel") in $(( $(date +%s) - start ))s"
"$VENV/bin/twine" check --strict "$WORK"/dist/* || fail "twine check --strict"
# shellcheck disable=SC2086 # empty or one option
"$VENV/bin/python" tools/check_dists.py "$WORK/dist" $UPLOAD || fail "tools/check_dists.py"

# Run `openstack` with nothing of this machine's configuration: no OS_*
# variables, no clouds.yaml (HOME is empty), the locale given.
openstack_in() {  # openstack_in <venv> <LANG> <args...>
    venv=$1 lang=$2
    shift 2
    env -i PATH="$venv/bin:/usr/bin:/bin" HOME="$WORK/home" LANG="$lang" "$venv/bin/openstack" "$@"
}

# One virtualenv with python-openstackclient, as a user has it; the wheel,
# then the sdist, installed into it.
target="$WORK/venv"
"$PYTHON" -m venv "$target"
"$target/bin/python" -m pip install -q python-openstackclient
"$target/bin/python" -m pip list --format=freeze | sort > "$WORK/before"
mkdir "$WORK/home"
say "python-openstackclient $("$target/bin/python" -m pip show python-openstackclient \
    | sed -n 's/^Version: //p') in a fresh virtualenv"

installed_check() {  # installed_check <wheel|sdist> <file>
    kind=$1
    "$target/bin/python" -m pip install -q "$2" || fail "pip install of the $kind"
    "$target/bin/python" -m pip list --format=freeze | sort > "$WORK/after"
    added=$(comm -13 "$WORK/before" "$WORK/after" | sed 's/==.*//' | tr '\n' ' ')
    [ "$added" = "fj-osc-actions " ] || fail "installing the $kind added: $added(want only fj-osc-actions)"
    [ -z "$(comm -23 "$WORK/before" "$WORK/after")" ] || fail "installing the $kind changed: \
$(comm -23 "$WORK/before" "$WORK/after" | tr '\n' ' ')"
    [ ! -e "$target/bin/fj-osc-actions-simulator" ] || fail "the $kind installs fj-osc-actions-simulator"
    ! "$target/bin/python" -c "import fj_osc_actions_simulator" 2> /dev/null \
        || fail "the $kind installs the simulator package"
    ! "$target/bin/python" -m pip show -q werkzeug 2> /dev/null || fail "Werkzeug is installed"
    english=$(openstack_in "$target" C server action show --help) \
        || fail "openstack server action show --help ($kind, LANG=C)"
    echo "$english" | grep -q "Show a server action and its events." \
        || fail "the English help of the $kind lacks its description"
    japanese=$(openstack_in "$target" ja_JP.UTF-8 server action show --help) \
        || fail "openstack server action show --help ($kind, LANG=ja_JP.UTF-8)"
    echo "$japanese" | grep -q "サーバのアクションとそのイベントを表示します。" \
        || fail "the help of the $kind is not in Japanese with LANG=ja_JP.UTF-8 (catalog missing?)"
    say "$kind: installs only fj-osc-actions next to python-openstackclient; help in English and Japanese"
    "$target/bin/python" -m pip uninstall -q -y fj-osc-actions
}
installed_check wheel "$wheel"
installed_check sdist "$sdist"
say "passed in $(( $(date +%s) - start ))s"
