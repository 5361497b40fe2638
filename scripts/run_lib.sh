# Functions of scripts/run.sh, kept apart so tests can run them (tests/test_run_script.py):
# reading the .env file, and deciding where Clipsite's Redis comes from.
# Sourced, not run; it changes nothing until a function is called.

# KEY=VALUE lines as in .env.example, read literally (not as shell: a value may hold
# spaces or <>); quotes around a value are removed, and so is a ` # comment` after an
# unquoted one.
load_env() {
  local line key value
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    [[ $line =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    key=${BASH_REMATCH[2]}
    value=${BASH_REMATCH[3]}
    if [[ $value =~ ^\"(.*)\"[[:space:]]*$ || $value =~ ^\'(.*)\'[[:space:]]*$ ]]; then
      value=${BASH_REMATCH[1]}
    else
      value=${value%%[[:space:]]#*}
      value=${value%"${value##*[![:space:]]}"}
    fi
    export "$key=$value"
  done <"$1"
}

# What a Redis on 127.0.0.1:PORT answers to PING within 2 s ("" when nothing listens).
redis_reply() {
  local reply=""
  {
    exec 3<>"/dev/tcp/127.0.0.1/$1" || return 0
    printf 'PING\r\n' >&3
    IFS= read -r -t 2 reply <&3 || true
    exec 3<&-
  } 2>/dev/null
  printf '%s' "${reply%$'\r'}"
}

# Where the Redis of REDIS_URL ($1) comes from, as one line for run.sh:
#   "start PORT"  the URL names this machine (127.0.0.1 or localhost, no credentials) and
#                 nothing listens on its port: run.sh starts redis-server there;
#   "running PORT" a Redis already answers there: it is used as it is;
#   "elsewhere"   the URL names another machine, credentials or a socket: used as it is.
# Fails (status 1, a message on stderr) when something that is not Redis listens there.
redis_plan() {
  local url=$1 port reply
  if [[ ! $url =~ ^redis://(127\.0\.0\.1|localhost)(:([0-9]+))?(/[0-9]*)?([?].*)?$ ]]; then
    echo "elsewhere"
    return 0
  fi
  port=${BASH_REMATCH[3]:-6379}
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "start $port"
    return 0
  fi
  reply=$(redis_reply "$port")
  # A Redis with a password answers PING with an error that still says it is Redis.
  if [[ $reply == "+PONG" || $reply == -NOAUTH* || $reply == -ERR*auth* ]]; then
    echo "running $port"
    return 0
  fi
  echo "error: something that is not Redis listens on 127.0.0.1:$port (REDIS_URL=$url);" \
    "stop it, or set REDIS_URL to a free port" >&2
  return 1
}
