#!/bin/sh
# setup.sh - Gradescope's autograder image: what the course needs, the
# packages .ci/run installs.  Made by `make platforms`.
set -eu
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends build-essential clang check pkg-config python3 util-linux iproute2 git
