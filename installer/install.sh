#!/bin/bash
# Install, upgrade or remove RootFi for Excel for the current macOS user.
#
# Thin on purpose: it finds (or installs) a python.org Python, creates an isolated
# environment in your Library folder, installs the rootfi-excel package into it, and
# hands over to `rootfi-excel install`, which puts the add-in into Excel.
# On Linux (no Excel) the same steps set up the command line and the templates only.
#
#   bash install.sh                 install (asks for the templates folder and the API key)
#   bash install.sh --upgrade       new version: rebuild the add-in, keep key and settings
#   bash install.sh --uninstall     remove what install wrote, then the environment
#
# Options: --python PATH (a Python 3.11+ to use), --package SPEC (default: the newest
# rootfi_excel-*.whl beside this script, else rootfi-excel from the package index),
# --env-dir DIR; anything after -- goes to `rootfi-excel install`.
#
# Bash 3.2 compatible (the bash macOS ships).

set -euo pipefail

PACKAGE=""
PYTHON_VERSION="3.12.8"
MINIMUM="3.11"
ACTION="install"
PYTHON=""
if [ "$(uname -s)" = "Darwin" ]; then
    # No spaces: xlwings' AppleScript puts the interpreter path into a shell command unquoted.
    ENV_DIR="$HOME/Library/RootFi/env"
else
    ENV_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/rootfi-excel/env"
fi

say() { printf 'RootFi: %s\n' "$*" >&2; }
die() { printf 'RootFi: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
}

PASS_ON=()
while [ $# -gt 0 ]; do
    case "$1" in
        --upgrade) ACTION="upgrade" ;;
        --uninstall) ACTION="uninstall" ;;
        --python) [ $# -ge 2 ] || die "--python needs a path"; PYTHON="$2"; shift ;;
        --package) [ $# -ge 2 ] || die "--package needs a value"; PACKAGE="$2"; shift ;;
        --env-dir) [ $# -ge 2 ] || die "--env-dir needs a folder"; ENV_DIR="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; PASS_ON=("$@"); break ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done

ROOTFI="$ENV_DIR/bin/rootfi-excel"

if [ -z "$PACKAGE" ]; then
    HERE="$(cd "$(dirname "$0")" && pwd)"
    # shellcheck disable=SC2012  # names are ours (rootfi_excel-<version>-py3-none-any.whl)
    PACKAGE="$(ls -t "$HERE"/rootfi_excel-*.whl 2>/dev/null | head -n 1 || true)"
    PACKAGE="${PACKAGE:-rootfi-excel}"
fi

# True when the folder $1 may be deleted: missing, empty, or a Python environment (pyvenv.cfg).
# `--env-dir ~` must never take the home folder with it.
removable() {
    [ -e "$1" ] || return 0
    [ -d "$1" ] || return 1
    [ -f "$1/pyvenv.cfg" ] && return 0
    [ -z "$(ls -A "$1" 2>/dev/null)" ]
}

# True when $1 runs and is Python $MINIMUM or newer.
suitable() {
    [ -n "$1" ] && [ -x "$1" ] || return 1
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidate
    # python.org builds first, then Homebrew; never /usr/bin/python3 (Apple's developer-tools stub).
    for candidate in \
        /Library/Frameworks/Python.framework/Versions/3.13/bin/python3 \
        /Library/Frameworks/Python.framework/Versions/3.12/bin/python3 \
        /Library/Frameworks/Python.framework/Versions/3.11/bin/python3 \
        /opt/homebrew/bin/python3 \
        /usr/local/bin/python3 \
        "$(command -v python3.13 || true)" \
        "$(command -v python3.12 || true)" \
        "$(command -v python3.11 || true)" \
        "$(command -v python3 || true)"; do
        if [ "$candidate" = "/usr/bin/python3" ] && [ "$(uname -s)" = "Darwin" ]; then
            continue
        fi
        if suitable "$candidate"; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    return 1
}

install_python_org() {
    [ "$(uname -s)" = "Darwin" ] || die "No Python $MINIMUM or newer found. Install it with your package manager (e.g. sudo apt-get install python3.11 python3.11-venv), then run this script again."
    local pkg="${TMPDIR:-/tmp}/python-$PYTHON_VERSION-macos11.pkg"
    say "Downloading Python $PYTHON_VERSION from python.org ..."
    curl --fail --location --silent --show-error --output "$pkg" \
        "https://www.python.org/ftp/python/$PYTHON_VERSION/python-$PYTHON_VERSION-macos11.pkg"
    if ! pkgutil --check-signature "$pkg" | grep -q "Python Software Foundation"; then
        die "The Python installer is not signed by the Python Software Foundation. Nothing was installed."
    fi
    say "Installing Python $PYTHON_VERSION (macOS asks for your password) ..."
    sudo installer -pkg "$pkg" -target / || die "The Python installer failed. Install Python $PYTHON_VERSION from python.org yourself, then run this script again."
    printf '%s\n' "/Library/Frameworks/Python.framework/Versions/${PYTHON_VERSION%.*}/bin/python3"
}

if [ "$ACTION" = "uninstall" ]; then
    if [ -x "$ROOTFI" ]; then
        "$ROOTFI" uninstall ${PASS_ON[@]+"${PASS_ON[@]}"}
    fi
    if [ -d "$ENV_DIR" ] && removable "$ENV_DIR"; then
        say "Removing the environment $ENV_DIR ..."
        rm -rf "$ENV_DIR"
    elif [ -e "$ENV_DIR" ]; then
        say "Kept $ENV_DIR: it is not a Python environment (no pyvenv.cfg), so it is not RootFi's to remove."
    fi
    say "RootFi for Excel is removed. Python itself stays."
    exit 0
fi

if ! suitable "$ENV_DIR/bin/python"; then
    if [ -n "$PYTHON" ]; then
        suitable "$PYTHON" || die "$PYTHON is not a Python $MINIMUM or newer."
    else
        PYTHON="$(find_python || install_python_org)"
    fi
    suitable "$PYTHON" || die "No Python $MINIMUM or newer could be found or installed."
    case "$ENV_DIR" in
        *" "*) [ "$(uname -s)" = "Darwin" ] && die "The environment folder must have no space in its path: $ENV_DIR" ;;
    esac
    removable "$ENV_DIR" || die "$ENV_DIR holds other files and is not a Python environment: give --env-dir a new or empty folder. Nothing was removed."
    rm -rf "$ENV_DIR"
    say "Creating the RootFi environment in $ENV_DIR ..."
    mkdir -p "$(dirname "$ENV_DIR")"
    "$PYTHON" -m venv "$ENV_DIR" || die "Could not create the environment (on Debian/Ubuntu: sudo apt-get install python3-venv)."
fi

say "Installing $PACKAGE ..."
"$ENV_DIR/bin/python" -m pip install --quiet --upgrade pip || die "Updating pip failed; run this script again."
"$ENV_DIR/bin/python" -m pip install --quiet --upgrade "$PACKAGE" || die "Installing $PACKAGE failed; run this script again."

exec "$ROOTFI" "$ACTION" ${PASS_ON[@]+"${PASS_ON[@]}"}
