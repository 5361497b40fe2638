#!/usr/bin/env bash
# `make run`: migrate, ensure the demo login, then run Redis (unless REDIS_URL points
# elsewhere), the web server, RQ workers and the RQ cron scheduler together. Ctrl-C
# stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f .env ]] && set -a && source .env && set +a

PORT=${PORT:-8000}
WORKERS=${RQ_WORKERS:-2}
VAR=${CLIPSITE_VAR_DIR:-$PWD/var}
mkdir -p "$VAR/log" "$VAR/redis"
PY=.venv/bin/python

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "==> Stopping Clipsite"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT

if [[ -z "${REDIS_URL:-}" ]]; then
  export REDIS_URL="redis://127.0.0.1:6379/0"
  if ! redis-cli -p 6379 ping >/dev/null 2>&1; then
    echo "==> Starting Redis on 127.0.0.1:6379"
    redis-server --port 6379 --bind 127.0.0.1 --dir "$VAR/redis" --appendonly yes \
      --logfile "$VAR/log/redis.log" &
    pids+=($!)
    for _ in $(seq 50); do redis-cli -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
fi

$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
DEMO=$($PY manage.py ensure_demo)

echo "==> Starting web server, $WORKERS RQ workers and the RQ cron scheduler"
.venv/bin/gunicorn clipsite.wsgi --bind "0.0.0.0:$PORT" --worker-class gthread --workers 2 --threads 8 \
  --timeout 300 --access-logfile "$VAR/log/access.log" --error-logfile "$VAR/log/web.log" &
pids+=($!)
for i in $(seq "$WORKERS"); do
  $PY manage.py rqworker default render --with-scheduler >>"$VAR/log/worker-$i.log" 2>&1 &
  pids+=($!)
done
$PY manage.py rqcron clipsite.cron >>"$VAR/log/cron.log" 2>&1 &
pids+=($!)

for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
cat <<MSG

  Clipsite is running at http://127.0.0.1:$PORT/
  $DEMO
  Admin panel: http://127.0.0.1:$PORT/admin/   API docs: http://127.0.0.1:$PORT/api/docs
  Logs: $VAR/log/   Press Ctrl-C to stop.

MSG
wait -n "${pids[@]}"
echo "A Clipsite process exited; see $VAR/log/. Stopping the others." >&2
exit 1
