#!/bin/sh
# need-check.sh - make sure Check (libcheck) and pkg-config are here.
#
# On Debian or Ubuntu, as root or with sudo, install them and say so;
# anywhere else, stop with the one command that installs them.
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists check 2>/dev/null; then
    exit 0
fi
. tests/grader/messages.sh

# apt-get and debconf talk on stderr even when all goes well: their
# output goes to a log, shown only if the install fails.
log=${TMPDIR:-/tmp}/course-check-install.$$.log
install() { # [sudo]
    "$@" apt-get update -qq > "$log" 2>&1 &&
        "$@" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            check pkg-config >> "$log" 2>&1
}
if command -v apt-get >/dev/null 2>&1; then
    tried=0
    if [ "$(id -u)" = 0 ]; then
        msgln deps.installing "apt-get install check pkg-config"
        install
        tried=1
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        msgln deps.installing "sudo apt-get install check pkg-config"
        install sudo
        tried=1
    fi
    if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists check 2>/dev/null; then
        rm -f "$log"
        exit 0
    fi
    if [ "$tried" = 1 ]; then
        msgln deps.failed >&2
        tail -n 5 "$log" | sed 's/^/  /' >&2
    fi
    rm -f "$log"
fi

msgln deps.needed >&2
echo "  Debian/Ubuntu:  sudo apt-get install check pkg-config" >&2
echo "  Fedora:         sudo dnf install check-devel pkgconf-pkg-config" >&2
echo "  macOS:          brew install check pkg-config" >&2
exit 1
