#!/usr/bin/env bash
# Set-up and entry point for a fresh machine. Two commands do everything:
#   bash dev.sh derive [ARGS...]   set up (first time), then `chainrule derive` on the default example
#   bash dev.sh test [PYTEST ARGS] set up (first time), then run the test suite
# Any other first word is passed to the chainrule command: `bash dev.sh train examples/... --data xor`.
set -euo pipefail
cd "$(dirname "$0")"

apt_updated=""
apt_install() {
    # apt_install WHAT PACKAGE...: Debian packages, as root or through sudo when it needs no
    # password; otherwise say what to install.
    local what=$1; shift
    command -v apt-get >/dev/null 2>&1 || return 0
    local as_root=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root="sudo -n"
        else
            echo "dev.sh: install $* for $what" >&2
            return 0
        fi
    fi
    echo "dev.sh: installing $what ($*) with apt-get ..." >&2
    if [ -z "$apt_updated" ]; then $as_root apt-get update -qq >/dev/null; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends \
        "$@" >/dev/null
}

setup() {
    # A TeX engine (pdflatex with TikZ) so write-ups really compile.
    command -v pdflatex >/dev/null 2>&1 || apt_install "a TeX engine (--pdf)" \
        texlive-latex-base texlive-latex-recommended texlive-pictures
    # Chromium, which the tests of the HTML write-ups open them in (playwright drives
    # Debian's build: no browser is downloaded).
    command -v chromium >/dev/null 2>&1 || apt_install "a headless browser (the HTML tests)" \
        chromium chromium-driver
    if [ ! -x .venv/bin/python ]; then
        echo "dev.sh: creating .venv ..." >&2
        python3 -m venv .venv
    fi
    # Reinstall only when pyproject.toml changed since the last install.
    if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
        echo "dev.sh: installing chainrule with its test extras into .venv ..." >&2
        .venv/bin/python -m pip install -q --upgrade pip
        .venv/bin/python -m pip install -q -e '.[test]'
        touch .venv/.installed
    fi
}

command=${1:-derive}
[ $# -gt 0 ] && shift
setup
case "$command" in
    test|tests) exec .venv/bin/python -m pytest "$@" ;;
    setup) exit 0 ;;
    *) exec .venv/bin/chainrule "$command" "$@" ;;
esac
