#!/usr/bin/env bash
# The demo page's TypeScript client (web/): models generated from
# protocol/asyncapi.yaml with the AsyncAPI CLI into web/src/models/, type-checked with tsc and
# bundled with esbuild into signaling/demo/static/app.js. Both outputs are committed, so the
# server needs no Node.js.
#
#   bash tools/web-client.sh          regenerate and rebuild (`make demo`)
#   bash tools/web-client.sh --check  fail when the committed models or bundle are stale
#                                     (run at the end of `make protocol-check`)
#
# Needs the CLI that tools/protocol-check.sh installs into .tools/asyncapi, and npm for the
# pinned toolchain of web/package-lock.json (installed into web/node_modules, git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=.tools/asyncapi
BIN="$PREFIX/node_modules/.bin/asyncapi"
DOCUMENT=protocol/asyncapi.yaml
MODELS=web/src/models
BUNDLE=signaling/demo/static/app.js
MODEL_FLAGS=(--tsModelType=interface --tsEnumType=union --tsExportType=named --tsRawPropertyNames)

# The same no-telemetry settings as tools/protocol-check.sh.
export CI=true
export ASYNCAPI_METRICS_CONFIG_PATH="$PWD/$PREFIX/analytics.json"
export ASYNCAPI_SKIP_NEW_VERSION_CHECK=true
export NODE_NO_WARNINGS=1
export npm_config_update_notifier=false

check=false
[ "${1:-}" = "--check" ] && check=true
[ -x "$BIN" ] || { echo "web-client: run 'bash tools/protocol-check.sh' first (installs $BIN)" >&2; exit 1; }
if [ ! -f "$ASYNCAPI_METRICS_CONFIG_PATH" ]; then
  printf '{"analyticsEnabled":"false","infoMessageShown":"true","userID":"protocol-check"}\n' \
    >"$ASYNCAPI_METRICS_CONFIG_PATH"
fi
if [ ! -x web/node_modules/.bin/esbuild ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error </dev/null)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
if ! timeout 300 "$BIN" generate models typescript "$DOCUMENT" -o "$work/models" \
    "${MODEL_FLAGS[@]}" --no-interactive </dev/null >"$work/log" 2>&1; then
  cat "$work/log" >&2
  echo "web-client: model generation failed" >&2
  exit 1
fi
if grep -l "AnonymousSchema" "$work/models"/*.ts >&2; then
  echo "web-client: anonymous models (an inline schema without a title in $DOCUMENT)" >&2
  exit 1
fi

if $check; then
  if ! diff -r "$work/models" "$MODELS" >"$work/diff"; then
    head -40 "$work/diff" >&2
    echo "web-client: $MODELS disagree with $DOCUMENT: run 'make demo' and commit" >&2
    exit 1
  fi
  out="$work/app.js"
else
  rm -rf "$MODELS"
  cp -r "$work/models" "$MODELS"
  out="$PWD/$BUNDLE"
fi
(cd web && node_modules/.bin/tsc --noEmit -p . && node_modules/.bin/esbuild src/main.ts \
  --bundle --format=esm --target=es2022 --charset=utf8 --legal-comments=none \
  --log-level=warning --outfile="$out")
if $check && ! cmp -s "$out" "$BUNDLE"; then
  echo "web-client: $BUNDLE is not the build of web/src: run 'make demo' and commit" >&2
  exit 1
fi
echo "web-client: $(ls "$MODELS" | wc -l) models, bundle $(wc -c <"$BUNDLE") bytes, in $(( $(date +%s) - start )) s"
