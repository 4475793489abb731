#!/usr/bin/env bash
# The ledger's tests run a real PostgreSQL server (testing/neocloud_testing/postgres.py starts a private one
# from the server binaries) and fail in CI without one. Install the binaries when they are missing and this
# user may (root with Debian's apt); otherwise say how, and the tests skip outside CI.
set -euo pipefail
have_initdb() {
    command -v initdb >/dev/null 2>&1 && return 0
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}
have_initdb && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing PostgreSQL (apt-get install postgresql) for the ledger's tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
else
    echo "==> no PostgreSQL server binaries: install them (apt-get install postgresql) or the Postgres tests skip"
fi
