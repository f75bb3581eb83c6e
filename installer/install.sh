#!/bin/bash
# Install, upgrade or remove RootFi for Excel for the current macOS user.
#
# Thin on purpose: it finds (or installs) a python.org Python, makes an isolated
# environment in a new folder, installs the rootfi-excel package into it, and hands over
# to `rootfi-excel install`, which puts the add-in into Excel (upgrade and uninstall alike).
# It removes nothing itself: `rootfi-excel uninstall` removes what the install wrote and
# then the environment, each only when it can show that the install made it.
# On Linux (no Excel) the same steps set up the command line and the templates only.
#
#   bash install.sh                 install (asks for the templates folder and the API key)
#   bash install.sh --upgrade       new version: rebuild the add-in, keep key and settings
#   bash install.sh --uninstall     remove what install wrote, then the environment
#   add --dry-run to any of them    say every step, in the order a real run takes them; change nothing
#
# Options: --python PATH (a Python 3.11+ to use), --package SPEC (default: the newest
# rootfi_excel-*.whl beside this script), --env-dir DIR (a new folder, or one this
# script made); anything after -- goes to `rootfi-excel install/upgrade/uninstall`.
#
# Bash 3.2 compatible (the bash macOS ships).

set -euo pipefail

PACKAGE=""
PYTHON_VERSION="3.12.8"
MINIMUM="3.11"
ACTION="install"
PYTHON=""
DRY_RUN=""
MARKER="made-by-rootfi-installer.txt"
if [ "$(uname -s)" = "Darwin" ]; then
    # No spaces: xlwings' AppleScript puts the interpreter path into a shell command unquoted.
    ENV_DIR="$HOME/Library/RootFi/env"
else
    ENV_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/rootfi-excel/env"
fi

say() { printf 'RootFi: %s\n' "$*" >&2; }
die() { printf 'RootFi: %s\n' "$*" >&2; exit 1; }
# A step: said as it is taken, or with --dry-run said as "would ..." and not taken.
step() { if [ -n "$DRY_RUN" ]; then say "would $*"; else say "$*"; fi; }

usage() {
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
}

PASS_ON=()
while [ $# -gt 0 ]; do
    case "$1" in
        --upgrade) ACTION="upgrade" ;;
        --uninstall) ACTION="uninstall" ;;
        --dry-run) DRY_RUN=1 ;;
        --python) [ $# -ge 2 ] || die "--python needs a path"; PYTHON="$2"; shift ;;
        --package) [ $# -ge 2 ] || die "--package needs a value"; PACKAGE="$2"; shift ;;
        --env-dir) [ $# -ge 2 ] || die "--env-dir needs a folder"; ENV_DIR="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; PASS_ON=("$@"); break ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done
# `-- --dry-run` is a dry run of this script too, never a real run of its own steps.
for arg in ${PASS_ON[@]+"${PASS_ON[@]}"}; do
    [ "$arg" = "--dry-run" ] && DRY_RUN=1
done
if [ -n "$DRY_RUN" ]; then
    say "Dry run: nothing is changed. A real run takes these steps:"
    case " ${PASS_ON[*]+${PASS_ON[*]}} " in
        *" --dry-run "*) ;;
        *) PASS_ON=(--dry-run ${PASS_ON[@]+"${PASS_ON[@]}"}) ;;
    esac
fi

case "$ENV_DIR" in
    /*) ;;
    *) ENV_DIR="$PWD/$ENV_DIR" ;;
esac
while [ "${ENV_DIR%/}" != "$ENV_DIR" ] && [ "$ENV_DIR" != "/" ]; do ENV_DIR="${ENV_DIR%/}"; done
ROOTFI="$ENV_DIR/bin/rootfi-excel"

# True when $1 runs and is Python $MINIMUM or newer.
suitable() {
    [ -n "$1" ] && [ -x "$1" ] || return 1
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

# True when $ENV_DIR is a folder this installer made: it holds the marker with an id.
made_by_us() {
    [ -d "$ENV_DIR" ] && [ ! -L "$ENV_DIR" ] && [ -f "$ENV_DIR/$MARKER" ] && [ ! -L "$ENV_DIR/$MARKER" ] \
        && grep -Eq '^id = [0-9a-f]{32}$' "$ENV_DIR/$MARKER"
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
    step "download Python $PYTHON_VERSION from python.org and install it (macOS asks for your password)"
    [ -z "$DRY_RUN" ] || return 1
    curl --fail --location --silent --show-error --output "$pkg" \
        "https://www.python.org/ftp/python/$PYTHON_VERSION/python-$PYTHON_VERSION-macos11.pkg"
    if ! pkgutil --check-signature "$pkg" | grep -q "Python Software Foundation"; then
        die "The Python installer is not signed by the Python Software Foundation. Nothing was installed."
    fi
    sudo installer -pkg "$pkg" -target / >&2 || die "The Python installer failed. Install Python $PYTHON_VERSION from python.org yourself, then run this script again."
    printf '%s\n' "/Library/Frameworks/Python.framework/Versions/${PYTHON_VERSION%.*}/bin/python3"
}

# ------------------------------------------------------------------------ uninstall

if [ "$ACTION" = "uninstall" ]; then
    [ ! -L "$ENV_DIR" ] || die "$ENV_DIR is a symbolic link, not RootFi's environment. Nothing was changed."
    [ -e "$ENV_DIR" ] || die "There is no environment at $ENV_DIR, so no rootfi-excel to hand the uninstall to (give --env-dir if RootFi was installed elsewhere). Nothing was changed."
    [ -x "$ROOTFI" ] || die "$ENV_DIR has no rootfi-excel command (was an install interrupted?), so nothing can do the uninstall. Nothing was changed: run this script without --uninstall to finish the install, then with --uninstall."
    step "hand over to $ROOTFI uninstall"
    exec "$ROOTFI" uninstall ${PASS_ON[@]+"${PASS_ON[@]}"}
fi

# ------------------------------------------------------------------------ install, upgrade

if [ -z "$PACKAGE" ]; then
    HERE="$(cd "$(dirname "$0")" && pwd)"
    # shellcheck disable=SC2012  # names are ours (rootfi_excel-<version>-py3-none-any.whl)
    PACKAGE="$(ls -t "$HERE"/rootfi_excel-*.whl 2>/dev/null | head -n 1 || true)"
    [ -n "$PACKAGE" ] || die "No rootfi_excel-*.whl beside this script ($HERE): put the package there (installer/make-bundle makes the folder), or give --package. Nothing was changed."
fi

case "$ENV_DIR" in
    *" "*) [ "$(uname -s)" != "Darwin" ] || die "The environment folder must have no space in its path: $ENV_DIR" ;;
esac
if [ "$ENV_DIR" = "/" ] || [ "$ENV_DIR" = "${HOME%/}" ]; then
    die "$ENV_DIR cannot be the environment: give --env-dir a new folder. Nothing was changed."
fi

NEW_ENV=""
if [ -e "$ENV_DIR" ] || [ -L "$ENV_DIR" ]; then
    made_by_us || die "$ENV_DIR is there already and the RootFi installer did not make it (no $MARKER in it), so it is not used: give --env-dir a new folder. Nothing was changed."
elif [ "$ACTION" = "upgrade" ]; then
    die "RootFi is not installed at $ENV_DIR: run this script without --upgrade. Nothing was changed."
else
    NEW_ENV=1
fi

if [ -n "$NEW_ENV" ] || ! suitable "$ENV_DIR/bin/python"; then
    if [ -n "$PYTHON" ]; then
        suitable "$PYTHON" || die "$PYTHON is not a Python $MINIMUM or newer."
    else
        PYTHON="$(find_python || install_python_org || true)"
    fi
    if [ -n "$PYTHON" ]; then
        suitable "$PYTHON" || die "No Python $MINIMUM or newer could be found or installed."
    elif [ -z "$DRY_RUN" ] || [ "$(uname -s)" != "Darwin" ]; then
        die "No Python $MINIMUM or newer could be found or installed."
    fi  # else a dry run on macOS: it said it would install python.org's
    if [ -n "$NEW_ENV" ]; then
        # The folders above the environment that are missing, outermost first (recorded in the
        # marker, so uninstall removes them again when they are empty).
        PARENTS=()
        parent="$(dirname "$ENV_DIR")"
        while [ ! -e "$parent" ]; do
            [ ! -L "$parent" ] || die "$parent is a symbolic link to nothing: give --env-dir another folder. Nothing was changed."
            PARENTS=("$parent" ${PARENTS[@]+"${PARENTS[@]}"})
            parent="$(dirname "$parent")"
        done
        for parent in ${PARENTS[@]+"${PARENTS[@]}"}; do
            step "create folder $parent"
            [ -n "$DRY_RUN" ] || mkdir "$parent"
        done
        step "create folder $ENV_DIR  (the environment; $MARKER in it says that this installer made it)"
        if [ -z "$DRY_RUN" ]; then
            mkdir "$ENV_DIR"  # fails if anything appeared there meanwhile: nothing is ever taken over
            ID="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
            (
                set -o noclobber
                {
                    printf '# This Python environment was made by the RootFi for Excel installer.\n'
                    printf '# rootfi-excel uninstall removes it when the install record names this id.\n'
                    printf 'id = %s\n' "$ID"
                    for parent in ${PARENTS[@]+"${PARENTS[@]}"}; do printf 'parent = %s\n' "$parent"; done
                } > "$ENV_DIR/$MARKER"
            )
        fi
    fi
    step "make the Python environment in $ENV_DIR with ${PYTHON:-the Python installed above}"
    if [ -z "$DRY_RUN" ]; then
        "$PYTHON" -m venv "$ENV_DIR" || die "Could not make the environment (on Debian/Ubuntu: sudo apt-get install python3-venv); run this script again."
    fi
fi

step "install $PACKAGE into $ENV_DIR  (pip)"
if [ -z "$DRY_RUN" ]; then
    "$ENV_DIR/bin/python" -m pip install --quiet --no-cache-dir --disable-pip-version-check --upgrade "$PACKAGE" \
        || die "Installing $PACKAGE failed; run this script again."
fi

step "hand over to $ROOTFI $ACTION"
if [ -n "$DRY_RUN" ] && [ ! -x "$ROOTFI" ]; then
    say "(its own steps are listed by \`rootfi-excel $ACTION --dry-run\`, which needs the environment: what it writes is in installer/README.md)"
    exit 0
fi
exec "$ROOTFI" "$ACTION" ${PASS_ON[@]+"${PASS_ON[@]}"}
