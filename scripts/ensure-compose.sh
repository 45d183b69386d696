#!/bin/sh
# For the test suite only: Debian's `docker-compose`, which validates docker-compose.yml offline
# (`docker-compose config`, no Docker engine needed). Installed where this machine has apt and
# root and it is missing; elsewhere tests/test_compose.py skips and says how to install it.
# Never fails the build.
command -v docker-compose >/dev/null 2>&1 && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Installing Debian's docker-compose for the compose file's test..." >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose; } \
        >/dev/null 2>&1 || echo "docker-compose could not be installed: its test will skip" >&2
fi
exit 0
