#!/usr/bin/env bash
# Install the OpenID provider the OIDC tests run (the `oidc-provider` npm package, pinned) into
# .tools/oidc-provider (git-ignored), once; `make test` runs it. Works without stdin (CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

OIDC_PROVIDER_VERSION=8.8.1
PREFIX=.tools/oidc-provider
export npm_config_update_notifier=false

installed_version() {
  node -p "require('./$PREFIX/node_modules/oidc-provider/package.json').version" 2>/dev/null || true
}

[ "$(installed_version)" = "$OIDC_PROVIDER_VERSION" ] && exit 0
command -v npm >/dev/null 2>&1 || { echo "oidc-provider: npm (Node 18+) is required" >&2; exit 1; }
echo "oidc-provider: installing oidc-provider@$OIDC_PROVIDER_VERSION into $PREFIX"
mkdir -p "$PREFIX"
for attempt in 1 2 3; do  # the registry sometimes drops a connection
  npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error \
    "oidc-provider@$OIDC_PROVIDER_VERSION" </dev/null && exit 0
  [ "$attempt" = 3 ] && exit 1
  echo "oidc-provider: npm install failed (attempt $attempt); retrying" >&2
  sleep 5
done
