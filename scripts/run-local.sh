#!/usr/bin/env bash
# `make run`: migrate, then run both services, the Intuit sandbox and the reference ESP console in the
# foreground. Ctrl-C stops all of them. Ports: QBO_PORT (8001), QBWC_PORT (8002), SANDBOX_PORT (8003),
# CONSOLE_PORT (QBO_PORT + 3, so 8004 by default; a second `make run` on other ports gets its own).
# Each process writes to LOG_DIR/<name>.log (default var/log); when one of them stops, this says
# which one and why in one line, stops the others and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-uv}
RUN="$UV run --frozen"
QBO_PORT=${QBO_PORT:-8001}
QBWC_PORT=${QBWC_PORT:-8002}
SANDBOX_PORT=${SANDBOX_PORT:-8003}
CONSOLE_PORT=${CONSOLE_PORT:-$((QBO_PORT + 3))}
HOST=${HOST:-127.0.0.1}
LOG_DIR=${LOG_DIR:-var/log}
mkdir -p var "$LOG_DIR"

export QBO_PUBLIC_URL=${QBO_PUBLIC_URL:-http://localhost:$QBO_PORT}
export QBWC_PUBLIC_URL=${QBWC_PUBLIC_URL:-http://localhost:$QBWC_PORT}
export INTUIT_DISCOVERY_URL=${INTUIT_DISCOVERY_URL:-http://127.0.0.1:$SANDBOX_PORT/.well-known/openid-configuration}
export INTUIT_API_BASE_URL=${INTUIT_API_BASE_URL:-http://127.0.0.1:$SANDBOX_PORT}
export INTUIT_REDIRECT_URI=${INTUIT_REDIRECT_URI:-http://localhost:$QBO_PORT/v1/qbo/callback}
export INTUIT_SANDBOX_REDIRECT_URIS=${INTUIT_SANDBOX_REDIRECT_URIS:-$INTUIT_REDIRECT_URI}
export INTUIT_SANDBOX_WEBHOOK_URL=${INTUIT_SANDBOX_WEBHOOK_URL:-http://127.0.0.1:$QBO_PORT/v1/qbo/webhooks}
export INTUIT_WEBHOOK_VERIFIER_TOKEN=${INTUIT_WEBHOOK_VERIFIER_TOKEN:-dev-verifier-token}
export INTUIT_SANDBOX_VERIFIER_TOKEN=${INTUIT_SANDBOX_VERIFIER_TOKEN:-$INTUIT_WEBHOOK_VERIFIER_TOKEN}
# The console's pages call both gateways from the browser (docs/console.md).
export CORS_ALLOWED_ORIGINS=${CORS_ALLOWED_ORIGINS:-http://localhost:$CONSOLE_PORT,http://127.0.0.1:$CONSOLE_PORT}

names=() pids=() logs=()
stopping=0
any_alive() {
  local pid
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && return 0; done
  return 1
}
cleanup() {
  trap - INT TERM EXIT
  stopping=1
  if ((${#pids[@]})); then
    kill "${pids[@]}" 2>/dev/null || true
    # Each finishes what it is doing; one that has not stopped after STOP_SECONDS is killed, so
    # `make run` always ends (a job it was sending is run again after its lease expires).
    local waited=0 i
    while ((waited < ${STOP_SECONDS:-30} * 10)) && any_alive; do
      sleep 0.1
      waited=$((waited + 1))
    done
    for i in "${!pids[@]}"; do
      if kill -0 "${pids[$i]}" 2>/dev/null; then
        echo "make run: ${names[$i]} did not stop within ${STOP_SECONDS:-30} s; killed" >&2
        pkill -KILL -P "${pids[$i]}" 2>/dev/null || true
        kill -KILL "${pids[$i]}" 2>/dev/null || true
      fi
    done
  fi
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# Why a process stopped, from its log: its last error line (uvicorn's plain format, our console or
# JSON format) or the exception ending a traceback; else a signal that killed it; else its last line.
ERROR_LINE='^(ERROR|CRITICAL):|\[(error|critical) *\]|"level": ?"(error|critical)"|^[A-Za-z_][A-Za-z0-9_.]*(Error|Exception)\b'
reason() {  # reason LOG [EXIT-STATUS]
  local line status=${2:-0}
  line=$(sed 's/\x1b\[[0-9;]*m//g' "$1" | grep -E "$ERROR_LINE" | tail -n 1 || true)
  if [[ -z $line ]] && ((status > 128)); then
    line="killed by signal $((status - 128))"
  fi
  [[ -n $line ]] || line=$(grep -v '^[[:space:]]*$' "$1" | tail -n 1 || true)
  # without the time stamp and level: the line says it is an error already
  line=$(sed -E 's/^(ERROR|CRITICAL):[[:space:]]+//; s/^[0-9T:.-]+Z \[[a-z]+ *\] //' <<<"$line")
  printf '%s' "${line:-it wrote nothing}"
}

# One line on what stopped and why; the EXIT trap then stops the others.
stopped() {
  local i=$1 status=0
  wait "${pids[$i]}" 2>/dev/null || status=$?
  sleep 0.5  # a Ctrl-C stops them too: its trap runs now, and it is not a failure to report
  ((stopping)) && exit 1
  echo "make run: ${names[$i]} stopped (exit status $status): $(reason "${logs[$i]}" "$status")" \
    "-- see ${logs[$i]}" >&2
  exit 1
}

start() {  # start NAME LOG-FILE-NAME COMMAND...
  local name=$1 log=$LOG_DIR/$2.log
  shift 2
  "$@" >"$log" 2>&1 &
  names+=("$name") pids+=($!) logs+=("$log")
}

if ! $RUN espqb migrate >"$LOG_DIR/migrate.log" 2>&1; then
  echo "make run: the database migration failed: $(reason "$LOG_DIR/migrate.log") -- see $LOG_DIR/migrate.log" >&2
  exit 1
fi

start "the Intuit sandbox" sandbox $RUN python -m qb_sandbox.intuit --host "$HOST" --port "$SANDBOX_PORT"
start qbo-gateway qbo-gateway $RUN uvicorn --factory qbo_gateway.app:create_app --host "$HOST" --port "$QBO_PORT" --no-server-header
start qbwc-gateway qbwc-gateway $RUN uvicorn --factory qbwc_gateway.app:create_app --host "$HOST" --port "$QBWC_PORT" --no-server-header
start "the ESP console" console $RUN python -m espqb_console --host "$HOST" --port "$CONSOLE_PORT"

# Wait until each answers (in the order started); stop at once if one of them stops meanwhile.
url=("http://127.0.0.1:$SANDBOX_PORT/.well-known/openid-configuration"
  "http://127.0.0.1:$QBO_PORT/readyz" "http://127.0.0.1:$QBWC_PORT/readyz"
  "http://127.0.0.1:$CONSOLE_PORT/console/config")
deadline=$((SECONDS + ${STARTUP_SECONDS:-180}))
for i in "${!pids[@]}"; do
  until curl -fsS --max-time 2 "${url[$i]}" >/dev/null 2>&1; do
    for j in "${!pids[@]}"; do kill -0 "${pids[$j]}" 2>/dev/null || stopped "$j"; done
    if ((SECONDS > deadline)); then
      echo "make run: ${names[$i]} did not answer ${url[$i]} within ${STARTUP_SECONDS:-180} s -- see ${logs[$i]}" >&2
      exit 1
    fi
    sleep 0.5
  done
done

cat <<TXT

  esp-quickbooks is running (Ctrl-C stops it)
    qbo-gateway    http://localhost:$QBO_PORT   (API docs: /docs)
    qbwc-gateway   http://localhost:$QBWC_PORT  (API docs: /docs; Web Connector: /qbwc)
    Intuit sandbox http://localhost:$SANDBOX_PORT
    ESP console    http://localhost:$CONSOLE_PORT  (development sign-in; docs/console.md)
    logs           $LOG_DIR/{sandbox,qbo-gateway,qbwc-gateway,console}.log

  A development token (company demo-company, admin):
    export TOKEN=\$(.venv/bin/espqb mint-token --company demo-company --user demo-admin)
    curl -s -H "Authorization: Bearer \$TOKEN" http://localhost:$QBO_PORT/v1/settings

  The README's walkthrough sends the A7102 example order into both kinds of QuickBooks.

TXT
# Until Ctrl-C, or until one of them stops: then say which and why, and stop the others.
wait -n -p ended "${pids[@]}" || true
for i in "${!pids[@]}"; do [[ ${pids[$i]} == "${ended:-}" ]] && stopped "$i"; done
exit 1
