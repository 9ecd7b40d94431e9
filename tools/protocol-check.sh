#!/usr/bin/env bash
# Validate protocol/asyncapi.yaml with the official AsyncAPI CLI (run by `make protocol-check`),
# then read it (and the YAML emitter's output at large) back with real YAML parsers.
#
# The CLI is installed once into .tools/asyncapi (git-ignored), pinned: 4.1.1 is the last
# release that runs on Node 20. Telemetry is off. Works without stdin (CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

ASYNCAPI_CLI_VERSION=4.1.1
PREFIX=.tools/asyncapi
BIN="$PREFIX/node_modules/.bin/asyncapi"
DOCUMENT=protocol/asyncapi.yaml

# No usage metrics and no update check. The CLI 4.1.1 ignores DO_NOT_TRACK; it sends metrics
# unless CI=true or its analytics file (ASYNCAPI_METRICS_CONFIG_PATH, default
# ~/.asyncapi-analytics, created with analytics *enabled* on first run) says "false". We point
# it at our own disabled file (what `asyncapi config analytics --disable` would write) and set
# CI=true too. ASYNCAPI_SKIP_NEW_VERSION_CHECK stops the oclif registry query.
export CI=true
export ASYNCAPI_METRICS_CONFIG_PATH="$PWD/$PREFIX/analytics.json"
export ASYNCAPI_SKIP_NEW_VERSION_CHECK=true
export NODE_NO_WARNINGS=1
export npm_config_update_notifier=false

installed_version() {
  node -p "require('./$PREFIX/node_modules/@asyncapi/cli/package.json').version" 2>/dev/null || true
}

if [ ! -x "$BIN" ] || [ "$(installed_version)" != "$ASYNCAPI_CLI_VERSION" ]; then
  command -v npm >/dev/null 2>&1 || { echo "protocol-check: npm (Node 20) is required" >&2; exit 1; }
  echo "protocol-check: installing @asyncapi/cli@$ASYNCAPI_CLI_VERSION into $PREFIX"
  start=$(date +%s)
  mkdir -p "$PREFIX"
  for attempt in 1 2 3; do  # the registry sometimes drops a connection
    npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error \
      "@asyncapi/cli@$ASYNCAPI_CLI_VERSION" </dev/null && break
    [ "$attempt" = 3 ] && exit 1
    echo "protocol-check: npm install failed (attempt $attempt); retrying" >&2
    sleep 5
  done
  echo "protocol-check: installed in $(( $(date +%s) - start )) s"
fi

if [ ! -f "$ASYNCAPI_METRICS_CONFIG_PATH" ]; then
  printf '{"analyticsEnabled":"false","infoMessageShown":"true","userID":"protocol-check"}\n' \
    >"$ASYNCAPI_METRICS_CONFIG_PATH"
fi

start=$(date +%s)
"$BIN" validate "$DOCUMENT" --fail-severity=warn </dev/null
echo "protocol-check: validated $DOCUMENT in $(( $(date +%s) - start )) s"

# The OpenAPI 3.1 description of the REST routes, with openapi-spec-validator (a test extra);
# it prints "<file>: OK" or what is wrong, and fails the check then.
OPENAPI_DOCUMENT=protocol/openapi.yaml
start=$(date +%s)
"${PYTHON:-.venv/bin/python}" -m openapi_spec_validator "$OPENAPI_DOCUMENT" </dev/null
echo "protocol-check: validated $OPENAPI_DOCUMENT in $(( $(date +%s) - start )) s"

# The YAML emitter against real parsers (js-yaml and yaml, shipped with the CLI): the committed
# document and a corpus of awkward values must read back as what was written.
"${PYTHON:-.venv/bin/python}" -m pytest -q -p no:cacheprovider \
  tests/unit/test_asyncapi.py -m protocol_check
bash tools/generated-client.sh
bash tools/web-client.sh --check  # the demo page's TypeScript models and bundle
