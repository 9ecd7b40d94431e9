#!/usr/bin/env bash
# Generate Python models from protocol/asyncapi.yaml with the AsyncAPI CLI and use them for
# real: examples/generated-client/client.py starts a server, joins two participants and checks
# a chat message with the generated classes (run at the end of `make protocol-check`).
#
# Needs the CLI that tools/protocol-check.sh installs into .tools/asyncapi. The models (plain
# Python classes, no pydantic) go to the git-ignored examples/generated-client/models/ and are
# regenerated on every run.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=.tools/asyncapi
BIN="$PREFIX/node_modules/.bin/asyncapi"
DOCUMENT=protocol/asyncapi.yaml
DIR=examples/generated-client
PYTHON="${PYTHON:-.venv/bin/python}"

# The same no-telemetry settings as tools/protocol-check.sh.
export CI=true
export ASYNCAPI_METRICS_CONFIG_PATH="$PWD/$PREFIX/analytics.json"
export ASYNCAPI_SKIP_NEW_VERSION_CHECK=true
export NODE_NO_WARNINGS=1
export npm_config_update_notifier=false

[ -x "$BIN" ] || { echo "generated-client: run 'bash tools/protocol-check.sh' first (installs $BIN)" >&2; exit 1; }
if [ ! -f "$ASYNCAPI_METRICS_CONFIG_PATH" ]; then
  printf '{"analyticsEnabled":"false","infoMessageShown":"true","userID":"protocol-check"}\n' \
    >"$ASYNCAPI_METRICS_CONFIG_PATH"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() {  # run a CLI step quietly (it draws spinners), show its output when it fails
  if ! timeout 300 "$@" </dev/null >"$log" 2>&1; then
    cat "$log" >&2
    echo "generated-client: failed: $*" >&2
    exit 1
  fi
}

start=$(date +%s)
# Straight from the committed YAML: the document is laid out for generators (one operation per
# message, unique schema titles, titled frames; see the docstring of signaling/docs/asyncapi.py).
rm -rf "$DIR/models"
run "$BIN" generate models python "$DOCUMENT" -o "$DIR/models" --no-interactive
"$PYTHON" - "$DIR" "$DOCUMENT" <<'PY'
import pathlib, sys
sys.path.insert(0, ".")
from tests.unit.test_asyncapi import read_yaml  # the strict reader the unit tests use
root, document = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
messages = read_yaml(document.read_text(encoding="utf-8"))["components"]["messages"]
frames = {key: message["payload"]["title"] for key, message in messages.items()}
missing = [key for key, title in frames.items() if not (root / "models" / f"{title}.py").exists()]
if missing:
    sys.exit(f"generated-client: no model generated for {missing}")
files = len(list((root / "models").glob("*.py")))
print(f"generated-client: {files} Python models, one frame class for each of {len(messages)} messages")
PY
echo "generated-client: generated in $(( $(date +%s) - start )) s"

timeout 120 "$PYTHON" "$DIR/client.py"
echo "generated-client: done in $(( $(date +%s) - start )) s"
