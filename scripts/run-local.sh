#!/usr/bin/env bash
# `make run`: migrate, then run both services (and the Intuit sandbox) in the foreground.
# Ctrl-C stops all of them. Ports: QBO_PORT (8001), QBWC_PORT (8002), SANDBOX_PORT (8003).
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-uv}
RUN="$UV run --frozen"
QBO_PORT=${QBO_PORT:-8001}
QBWC_PORT=${QBWC_PORT:-8002}
SANDBOX_PORT=${SANDBOX_PORT:-8003}
HOST=${HOST:-127.0.0.1}
mkdir -p var

export QBO_PUBLIC_URL=${QBO_PUBLIC_URL:-http://localhost:$QBO_PORT}
export QBWC_PUBLIC_URL=${QBWC_PUBLIC_URL:-http://localhost:$QBWC_PORT}
export INTUIT_DISCOVERY_URL=${INTUIT_DISCOVERY_URL:-http://127.0.0.1:$SANDBOX_PORT/.well-known/openid-configuration}
export INTUIT_API_BASE_URL=${INTUIT_API_BASE_URL:-http://127.0.0.1:$SANDBOX_PORT}
export INTUIT_REDIRECT_URI=${INTUIT_REDIRECT_URI:-http://localhost:$QBO_PORT/v1/qbo/callback}
export INTUIT_SANDBOX_REDIRECT_URIS=${INTUIT_SANDBOX_REDIRECT_URIS:-$INTUIT_REDIRECT_URI}
export INTUIT_SANDBOX_WEBHOOK_URL=${INTUIT_SANDBOX_WEBHOOK_URL:-http://127.0.0.1:$QBO_PORT/v1/qbo/webhooks}
export INTUIT_WEBHOOK_VERIFIER_TOKEN=${INTUIT_WEBHOOK_VERIFIER_TOKEN:-dev-verifier-token}
export INTUIT_SANDBOX_VERIFIER_TOKEN=${INTUIT_SANDBOX_VERIFIER_TOKEN:-$INTUIT_WEBHOOK_VERIFIER_TOKEN}

$RUN espqb migrate

pids=()
cleanup() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup INT TERM EXIT

$RUN python -m qb_sandbox.intuit --host "$HOST" --port "$SANDBOX_PORT" & pids+=($!)
$RUN uvicorn --factory qbo_gateway.app:create_app --host "$HOST" --port "$QBO_PORT" --no-server-header & pids+=($!)
$RUN uvicorn --factory qbwc_gateway.app:create_app --host "$HOST" --port "$QBWC_PORT" --no-server-header & pids+=($!)

for url in "http://127.0.0.1:$QBO_PORT/readyz" "http://127.0.0.1:$QBWC_PORT/readyz" "http://127.0.0.1:$SANDBOX_PORT/.well-known/openid-configuration"; do
  for _ in $(seq 1 60); do curl -fsS "$url" >/dev/null 2>&1 && break; sleep 0.5; done
done

cat <<TXT

  esp-quickbooks is running (Ctrl-C stops it)
    qbo-gateway    http://localhost:$QBO_PORT   (API docs: /docs)
    qbwc-gateway   http://localhost:$QBWC_PORT  (API docs: /docs; Web Connector: /qbwc)
    Intuit sandbox http://localhost:$SANDBOX_PORT

  A development token (company demo-company, admin):
    export TOKEN=\$(.venv/bin/espqb mint-token --company demo-company --user demo-admin)
    curl -s -H "Authorization: Bearer \$TOKEN" http://localhost:$QBO_PORT/v1/settings

  The README's walkthrough sends the A7102 example order into both kinds of QuickBooks.

TXT
wait -n "${pids[@]}"
