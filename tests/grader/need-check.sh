#!/bin/sh
# need-check.sh - make sure Check (libcheck) and pkg-config are here.
#
# On Debian or Ubuntu, as root or with sudo, install them and say so;
# anywhere else, stop with the one command that installs them.
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists check 2>/dev/null; then
    exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        echo "Installing the Check unit test library: apt-get install check pkg-config"
        apt-get update -qq >/dev/null && \
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq check pkg-config >/dev/null
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        echo "Installing the Check unit test library: sudo apt-get install check pkg-config"
        sudo apt-get update -qq >/dev/null && \
            sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq check pkg-config >/dev/null
    fi
    if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists check 2>/dev/null; then
        exit 0
    fi
fi

echo "The grader needs the Check unit test library and pkg-config. Install them with one of:" >&2
echo "  Debian/Ubuntu:  sudo apt-get install check pkg-config" >&2
echo "  Fedora:         sudo dnf install check-devel pkgconf-pkg-config" >&2
echo "  macOS:          brew install check pkg-config" >&2
exit 1
