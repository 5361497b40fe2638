#!/usr/bin/env bash
# `make run`: migrate (collecting static files meanwhile), ensure the demo login, then run
# Redis (when REDIS_URL points at this machine and nothing answers there), the web server,
# RQ workers and the RQ cron scheduler under supervisord, which restarts any of them that
# dies. Ctrl-C stops all of them.
#
# Configuration comes from the environment and the file CLIPSITE_ENV_FILE (default .env),
# whose values win. supervisord's configuration is written to $CLIPSITE_VAR_DIR/run/ on
# every start; `.venv/bin/supervisorctl -c var/run/supervisord.conf status` lists the
# processes while it runs. Logs go to $CLIPSITE_VAR_DIR/log/.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/run_lib.sh
source scripts/run_lib.sh
ENV_FILE=${CLIPSITE_ENV_FILE:-.env}
[[ -f $ENV_FILE ]] && load_env "$ENV_FILE"

PORT=${PORT:-8000}
WORKERS=${RQ_WORKERS:-2}
VAR=${CLIPSITE_VAR_DIR:-$PWD/var}
[[ $VAR == /* ]] || VAR=$PWD/$VAR
export CLIPSITE_VAR_DIR=$VAR
mkdir -p "$VAR/log" "$VAR/redis" "$VAR/run"
PY=.venv/bin/python
CONF=$VAR/run/supervisord.conf

# Redis is started here when REDIS_URL names this machine without credentials and nothing
# listens on its port (the default, and .env.example's value). A Redis already listening
# there, or one elsewhere, is used as it is, and the banner says which (redis_plan).
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
REDIS_PLAN=$(redis_plan "$REDIS_URL") || exit 1
REDIS_PORT=""
case $REDIS_PLAN in
  start*) REDIS_PORT=${REDIS_PLAN#start }; REDIS_NOTE="Redis on 127.0.0.1:$REDIS_PORT, " ;;
  running*) REDIS_NOTE="" ; echo "==> Using the Redis already running on 127.0.0.1:${REDIS_PLAN#running } (REDIS_URL)" ;;
  *) REDIS_NOTE="" ; echo "==> Using the Redis at REDIS_URL (another machine, or with credentials)" ;;
esac

# supervisord expands %(name)s in its values, so a literal % is written %%.
esc() { printf '%s' "${1//%/%%}"; }
# One word of a supervisord command line (split like a POSIX shell).
word() { local s=${1//%/%%}; printf "'%s'" "${s//\'/\'\\\'\'}"; }

write_config() {
  local var root
  var=$(esc "$VAR")
  root=$(esc "$PWD")
  cat <<CONF
; Written by scripts/run.sh on every start: edit that script, not this file.
[supervisord]
nodaemon=true
silent=true
logfile=$var/log/supervisord.log
logfile_maxbytes=10MB
logfile_backups=3
pidfile=$var/run/supervisord.pid
childlogdir=$var/log

[unix_http_server]
file=$var/run/supervisor.sock
chmod=0700

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$var/run/supervisor.sock
CONF
  # Every process is restarted whenever it exits. One that cannot start (Redis still
  # coming up) is retried with a pause growing by a second each time, for over an hour.
  # Ctrl-C stops them in reverse priority order: scheduler, workers, web server, Redis.
  # program NAME PRIORITY LOG STOPWAITSECS
  program() {
    cat <<CONF

[program:$1]
priority=$2
directory=$root
autorestart=true
startsecs=2
startretries=100
stopwaitsecs=$4
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile=$var/log/$3
stdout_logfile_maxbytes=10MB
stdout_logfile_backups=3
environment=PYTHONUNBUFFERED="1"
CONF
  }
  if [[ -n $REDIS_PORT ]]; then
    program redis 10 redis.log 30
    echo "command=$(word "$(command -v redis-server)") --port $REDIS_PORT --bind 127.0.0.1" \
      "--dir $(word "$VAR/redis") --appendonly yes"
  fi
  program web 20 web.log 35
  echo "command=$(word "$PWD/.venv/bin/gunicorn") clipsite.wsgi --bind 0.0.0.0:$PORT --worker-class gthread" \
    "--workers 2 --threads 8 --timeout 300 --access-logfile $(word "$VAR/log/access.log") --error-logfile -"
  if (( WORKERS > 0 )); then
    program worker 30 "worker-%(process_num)d.log" 30
    echo "command=$(word "$PWD/$PY") manage.py rqworker default render --with-scheduler"
    echo "process_name=%(program_name)s-%(process_num)d"
    echo "numprocs=$WORKERS"
    echo "numprocs_start=1"
  fi
  program cron 40 cron.log 10
  echo "command=$(word "$PWD/$PY") manage.py rqcron clipsite.cron"
}

# The RQ workers supervisord runs now (its children running `rqworker`).
rq_worker_pids() {
  local stat line fields
  for stat in /proc/[0-9]*/stat; do
    { read -r line <"$stat"; } 2>/dev/null || continue
    read -ra fields <<<"${line##*) }"
    if [[ ${fields[1]} == "$SUP" ]] && grep -qa rqworker "${stat%/stat}/cmdline" 2>/dev/null; then
      echo "${stat//[!0-9]/}"
    fi
  done
}

SUP=""
cleanup() {
  trap - INT TERM EXIT
  set +e
  [[ -n $SUP ]] && kill -0 "$SUP" 2>/dev/null || return 0
  echo
  echo "==> Stopping Clipsite"
  local workers alive
  workers=$(rq_worker_pids)
  kill -TERM "$SUP" 2>/dev/null
  # supervisord asks each worker to stop once: RQ's warm shutdown, which would wait for
  # the job in hand. A second signal, a second or more later, is RQ's cold shutdown: it
  # stops the job's work horse too, and the sweep retries that job on the next start.
  for _ in 1 2 3; do
    sleep 2
    alive=$(for pid in $workers; do kill -0 "$pid" 2>/dev/null && echo "$pid"; done)
    [[ -z $alive ]] && break
    # shellcheck disable=SC2086
    kill -TERM $alive 2>/dev/null
  done
  wait "$SUP" 2>/dev/null
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT

write_config >"$CONF"

# collectstatic needs no database, so it runs beside the migrations: 10 s instead of 13
# before the processes start. A failure of either stops the start.
$PY manage.py collectstatic --noinput -v0 &
STATIC=$!
if ! $PY manage.py migrate --noinput -v0; then
  kill "$STATIC" 2>/dev/null
  wait "$STATIC" 2>/dev/null || true
  exit 1
fi
wait "$STATIC"
DEMO=$($PY manage.py ensure_demo)

echo "==> Starting ${REDIS_NOTE}the web server, $WORKERS RQ workers and the RQ cron scheduler"
.venv/bin/supervisord -c "$CONF" &
SUP=$!

for _ in $(seq 150); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  if ! kill -0 "$SUP" 2>/dev/null; then
    echo "error: supervisord stopped at start (is Clipsite already running here?); see $VAR/log/supervisord.log" >&2
    exit 1
  fi
  sleep 0.2
done
cat <<MSG

  Clipsite is running at http://127.0.0.1:$PORT/
  $DEMO
  Admin panel: http://127.0.0.1:$PORT/admin/   API docs: http://127.0.0.1:$PORT/api/docs
  Logs: $VAR/log/   Processes: .venv/bin/supervisorctl -c $CONF status
  A process that dies is restarted. Press Ctrl-C to stop.

MSG
set +e
wait "$SUP"
STATUS=$?
# Ctrl-C reaches supervisord too (it shares the terminal's process group), and it stops
# every process and exits 0 on its own. Under load its exit can win the race with this
# shell's INT trap, and a requested stop must not read as a crash.
if [[ $STATUS == 0 ]]; then
  echo
  echo "==> Stopping Clipsite: supervisord stopped every process"
  exit 0
fi
echo "supervisord exited; see $VAR/log/supervisord.log. Stopping." >&2
exit 1
