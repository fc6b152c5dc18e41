#!/bin/sh
# Translations of the CLI's messages (gettext domain fj_osc_actions).
#
#   sh tools/translations.sh          extract -> update -> compile, then list
#                                     what still needs a translator
#   sh tools/translations.sh check    the same report, changing no file
#   sh tools/translations.sh extract FILE   write a fresh .pot to FILE only
#
# Files: fj_osc_actions/locale/fj_osc_actions.pot (the English messages),
# fj_osc_actions/locale/<lang>/LC_MESSAGES/fj_osc_actions.po (translations,
# edit these) and the compiled .mo next to each .po (commit it too: the
# wheel ships it). Exits 1 while any message is new, untranslated, fuzzy or
# has placeholders that differ from the English; then edit the .po (remove the
# "#, fuzzy" line once a translation is right) and run this again.
# Needs Babel (test-requirements.txt); `tox -e translations` runs it.
set -eu
cd "$(dirname "$0")/.."
if [ -n "${PYTHON:-}" ]; then
    :
elif [ -z "${VIRTUAL_ENV:-}" ] && [ -x .venv/bin/python ]; then
    PYTHON=.venv/bin/python
else
    PYTHON=python3
fi
DOMAIN=fj_osc_actions
LOCALE=fj_osc_actions/locale
POT=$LOCALE/$DOMAIN.pot
pybabel() { "$PYTHON" -m babel.messages.frontend "$@"; }

extract() {  # extract FILE: the English messages of the code, as a .pot
    pybabel --quiet extract -F babel.cfg -o "$1" \
        --no-default-keywords -k _ -k N_ -k ngettext:1,2 \
        --add-comments=Translators: --add-location=file --width=79 \
        --project=fj-osc-actions --copyright-holder="fj-osc-actions developers" \
        .
}

report() {  # report POT: what the catalogs still need, exit 1 if anything
    "$PYTHON" -c 'import sys; from tests.unit import test_i18n; sys.exit(test_i18n.report(sys.argv[1]))' "$1"
}

case "${1:-update}" in
extract)
    extract "${2:?usage: translations.sh extract FILE}" ;;
check)
    fresh=$(mktemp)
    trap 'rm -f "$fresh"' EXIT
    extract "$fresh"
    report "$fresh" ;;
update)
    fresh=$(mktemp)
    trap 'rm -f "$fresh"' EXIT
    extract "$fresh"
    # Keep the committed .pot (and its date) when no message changed.
    if ! [ -f "$POT" ] || ! diff -q -I '^"POT-Creation-Date:' "$POT" "$fresh" >/dev/null; then
        cp "$fresh" "$POT"
        echo "Updated $POT"
    fi
    for po in "$LOCALE"/*/LC_MESSAGES/$DOMAIN.po; do
        [ -f "$po" ] || continue
        lang=${po#"$LOCALE"/}
        lang=${lang%%/*}
        pybabel --quiet update -D "$DOMAIN" -i "$POT" -d "$LOCALE" -l "$lang" \
            --width=79 --ignore-obsolete --init-missing
    done
    pybabel --quiet compile -D "$DOMAIN" -d "$LOCALE"
    report "$POT" ;;
*)
    echo "usage: translations.sh [update|check|extract FILE]" >&2
    exit 2 ;;
esac
