#!/usr/bin/env bash
# Local services for tsforge's scale-out features, all on 127.0.0.1 and all under .services/:
#
#   pg      PostgreSQL (Debian's `postgresql` package; installed with apt-get when missing and run
#           as root), a cluster initdb'ed into .services/pg, databases `mlflow` and `optuna`
#   ray     a Ray cluster: a head node and one extra worker node (1 CPU each, small object store,
#           no dashboard, token authentication with a token in the services folder)
#   mlflow  `mlflow server` with the PostgreSQL backend store and a local artifact root
#           (.services/artifacts, served through the server)
#
#   scripts/services.sh up pg ray mlflow   start (each on a free port; MLflow on $MLFLOW_PORT if
#                                          set), write the exports to .services/env
#   scripts/services.sh down               stop everything this script started (by recorded pid)
#   scripts/services.sh env                print the exports of .services/env
#
# TSFORGE_SERVICES_DIR (default .services) holds the data, logs, pids and env file, so the
# services of `make test` (.services/test) and a team set-up (.services) never stop each other.
#
# `make test` starts pg + ray + mlflow for the integration tests and stops them afterwards;
# `make services-up` / `make services-down` run pg + mlflow for a team set-up. Nothing here
# listens on another interface, and `down` ends only processes whose pid it recorded.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
# make test uses .services/test: never the team's. A relative folder is taken from the repository
# root (where make runs); an absolute one is used as given — prefixing it with the root would put
# the data, logs and pids of `TSFORGE_SERVICES_DIR=/tmp/x` inside the checkout (/repo/tmp/x).
case "${TSFORGE_SERVICES_DIR:-.services}" in
  /*) STATE="$TSFORGE_SERVICES_DIR" ;;
  *) STATE="$ROOT/${TSFORGE_SERVICES_DIR:-.services}" ;;
esac
ENV_FILE="$STATE/env"
BIN="${VENV_BIN:-$ROOT/.venv/bin}"
PY="$BIN/python"
mkdir -p "$STATE"

log() { echo "services: $*" >&2; }

# A free loopback port, distinct from every port handed out since the last `down`
# ($STATE/ports.used). Why the record: each call binds port 0 and lets it go again, so two calls
# could get the same number while the first one's service had not bound it yet — a Ray node once
# got 53931 as both its node-manager and its dashboard-agent port and would not start.
free_port() {
  "$PY" - "$STATE/ports.used" <<'PYEOF'
import socket
import sys

path = sys.argv[1]
try:
    with open(path) as f:
        used = set(f.read().split())
except FileNotFoundError:
    used = set()
held = []
while True:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)  # held until the end, so the OS cannot offer the same port again
    port = str(s.getsockname()[1])
    if port not in used:
        break
for s in held:
    s.close()
with open(path, "a") as f:
    f.write(port + "\n")
print(port)
PYEOF
}

set_env() {  # set_env NAME VALUE: record an export in .services/env (replacing an older one)
  touch "$ENV_FILE"
  grep -v "^export $1=" "$ENV_FILE" > "$ENV_FILE.tmp" || true
  echo "export $1='$2'" >> "$ENV_FILE.tmp"
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...: poll until the command succeeds
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  log "$what did not come up within ${limit}s"
  return 1
}

# ----------------------------------------------------------------------------- PostgreSQL
pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return; fi
  return 1
}

as_pg() {  # PostgreSQL refuses to run as root: use the package's `postgres` user then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_up() {
  local bindir port data
  if ! bindir=$(pg_bindir); then
    if [ "$(id -u)" != 0 ]; then
      log "PostgreSQL is not installed; run: sudo apt-get install -y postgresql"; return 1
    fi
    log "installing Debian's postgresql package"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    bindir=$(pg_bindir)
  fi
  data="$STATE/pg"
  if [ -f "$STATE/pg.port" ] && as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "PostgreSQL already running on port $(cat "$STATE/pg.port")"; return 0
  fi
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$STATE"; then
    log "the postgres user cannot reach $STATE (a parent folder is not world-executable)"; return 1
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres: "$data"
    chmod 700 "$data"
    # trust on loopback only: the cluster listens on 127.0.0.1 and has no unix socket
    as_pg "$bindir/initdb" -D "$data" -U tsforge -A trust -E UTF8 --locale=C.UTF-8 >"$STATE/pg-initdb.log" 2>&1 \
      || { cat "$STATE/pg-initdb.log" >&2; return 1; }
  fi
  port=$(free_port)
  [ "$(id -u)" = 0 ] && { touch "$STATE/pg.log"; chown postgres: "$STATE/pg.log"; }
  as_pg "$bindir/pg_ctl" -D "$data" -l "$STATE/pg.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' -c max_connections=100 -c shared_buffers=64MB -c fsync=off" \
    start >/dev/null || { tail -20 "$STATE/pg.log" >&2; return 1; }
  echo "$port" > "$STATE/pg.port"
  echo "$bindir" > "$STATE/pg.bindir"
  for db in mlflow optuna; do
    "$bindir/psql" -h 127.0.0.1 -p "$port" -U tsforge -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" \
      | grep -q 1 || "$bindir/createdb" -h 127.0.0.1 -p "$port" -U tsforge "$db"
  done
  set_env TSFORGE_PG_URL "postgresql://tsforge@127.0.0.1:$port"
  log "PostgreSQL on 127.0.0.1:$port (data $data)"
}

pg_down() {
  [ -f "$STATE/pg.bindir" ] || return 0
  as_pg "$(cat "$STATE/pg.bindir")/pg_ctl" -D "$STATE/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -f "$STATE/pg.port" "$STATE/pg.bindir"
  log "PostgreSQL stopped"
}

# ----------------------------------------------------------------------------------- Ray
ray_node() {  # ray_node NAME ARGS...: one node in its own session (pgid = pid), blocking in the background
  local name=$1; shift
  setsid "$PY" "$ROOT/scripts/ray_loopback.py" start --block --disable-usage-stats \
    --node-ip-address=127.0.0.1 --num-cpus=1 --num-gpus=0 --object-store-memory=$((160 * 1024 * 1024)) \
    --node-manager-port="$(free_port)" --object-manager-port="$(free_port)" \
    --dashboard-agent-listen-port="$(free_port)" --dashboard-agent-grpc-port="$(free_port)" \
    --runtime-env-agent-port="$(free_port)" --metrics-export-port="$(free_port)" \
    "$@" >"$STATE/ray-$name.log" 2>&1 < /dev/null &
  echo $! > "$STATE/ray-$name.pid"
}

ray_nodes_alive() {  # ray_nodes_alive PORT N: the cluster at PORT has N nodes up
  [ "$("$PY" "$ROOT/scripts/ray_loopback.py" status --address="127.0.0.1:$1" 2>/dev/null | sed -n '/^Active:/,/^Pending:/p' | grep -c ' node_')" -ge "$2" ]
}

ray_auth() {  # token authentication, with a token of this cluster's own (never ~/.ray's)
  export RAY_AUTH_MODE=token RAY_AUTH_TOKEN_PATH="$STATE/ray-auth-token"
  if [ ! -s "$RAY_AUTH_TOKEN_PATH" ]; then
    (umask 077; "$PY" -c 'import secrets; print(secrets.token_hex(32))' > "$RAY_AUTH_TOKEN_PATH")
  fi
}

ray_up() {
  local port
  ray_auth
  if [ -f "$STATE/ray-head.pid" ] && kill -0 "$(cat "$STATE/ray-head.pid")" 2>/dev/null; then
    log "Ray already running"; return 0
  fi
  port=$(free_port)
  export RAY_USAGE_STATS_ENABLED=0
  ray_node head --head --port="$port" --include-dashboard=false
  wait_for 90 "the Ray head node" ray_nodes_alive "$port" 1 \
    || { tail -30 "$STATE/ray-head.log" >&2; return 1; }
  ray_node worker --address="127.0.0.1:$port"
  wait_for 90 "the Ray worker node" ray_nodes_alive "$port" 2 || { tail -30 "$STATE/ray-worker.log" >&2; return 1; }
  echo "$port" > "$STATE/ray.port"
  set_env TSFORGE_RAY_ADDRESS "127.0.0.1:$port"
  set_env RAY_AUTH_MODE token
  set_env RAY_AUTH_TOKEN_PATH "$RAY_AUTH_TOKEN_PATH"
  # drivers on this host keep the loopback node address too (see tsforge/engine/ray_engine.py)
  set_env RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER 0
  log "Ray cluster on 127.0.0.1:$port (head + 1 worker node, 1 CPU each)"
}

stop_group() {  # stop_group PIDFILE: TERM then KILL the process group recorded in PIDFILE
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

ray_down() {
  [ -f "$STATE/ray-head.pid" ] || [ -f "$STATE/ray-worker.pid" ] || return 0
  stop_group "$STATE/ray-worker.pid"
  stop_group "$STATE/ray-head.pid"
  rm -f "$STATE/ray.port"
  log "Ray cluster stopped"
}

# -------------------------------------------------------------------------------- MLflow
mlflow_up() {
  local port pg
  if [ -f "$STATE/mlflow.pid" ] && kill -0 "$(cat "$STATE/mlflow.pid")" 2>/dev/null; then
    log "MLflow server already running on port $(cat "$STATE/mlflow.port")"; return 0
  fi
  [ -f "$STATE/pg.port" ] || pg_up
  pg=$(cat "$STATE/pg.port")
  port=${MLFLOW_PORT:-$(free_port)}
  mkdir -p "$STATE/artifacts"
  MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR=false setsid "$BIN/mlflow" server \
    --backend-store-uri "postgresql+psycopg://tsforge@127.0.0.1:$pg/mlflow" \
    --artifacts-destination "$STATE/artifacts" \
    --host 127.0.0.1 --port "$port" --workers 1 >"$STATE/mlflow.log" 2>&1 < /dev/null &
  echo $! > "$STATE/mlflow.pid"
  wait_for 120 "the MLflow server" "$PY" -c \
    "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=2)" \
    || { tail -30 "$STATE/mlflow.log" >&2; return 1; }
  echo "$port" > "$STATE/mlflow.port"
  set_env TSFORGE_MLFLOW_URI "http://127.0.0.1:$port"
  log "MLflow server on http://127.0.0.1:$port (backend PostgreSQL db mlflow, artifacts $STATE/artifacts)"
}

mlflow_down() {
  [ -f "$STATE/mlflow.pid" ] || return 0
  stop_group "$STATE/mlflow.pid"
  rm -f "$STATE/mlflow.port"
  log "MLflow server stopped"
}

# ---------------------------------------------------------------------------------- main
cmd=${1:-}
shift || true
case "$cmd" in
  up)
    [ $# -gt 0 ] || set -- pg ray mlflow
    for s in "$@"; do
      case "$s" in
        pg) pg_up ;; ray) ray_up ;; mlflow) mlflow_up ;;
        *) log "unknown service $s (pg, ray, mlflow)"; exit 2 ;;
      esac
    done
    ;;
  down)
    mlflow_down; ray_down; pg_down
    rm -f "$ENV_FILE" "$STATE/ports.used"
    ;;
  env)
    cat "$ENV_FILE" 2>/dev/null || true
    ;;
  *)
    echo "usage: $0 up [pg] [ray] [mlflow] | down | env" >&2; exit 2 ;;
esac
