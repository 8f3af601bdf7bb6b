# Shared by conformance/*/run: start a Kalends server on 127.0.0.1 with a fresh data
# directory, stop it by PID, and turn per-case results into the JSON lines that
# scripts/summarize-tests.py reads, applying the suite's expected-failures.txt.
# Sourced, not run. Callers set: suite_dir (the suite's folder), BIN, OUT.
# With KALENDS_TEST_BACKEND=postgresql the server stores into a throwaway
# PostgreSQL cluster (initdb into a temporary directory, postgres on a free
# port, as `nobody` when run as root) that is stopped by its PID at exit; the
# results are then named SUITE-postgresql/CASE.

set -uo pipefail

work=$(mktemp -d "${TMPDIR:-/tmp}/kalends-conformance-XXXXXX")
results="$work/results.tsv"   # one line per case: NAME<TAB>PASS|FAIL
: >"$results"
server_pid=""
port=""
pg_pid=""
pg_dir=""
config_args=()

# stop_server: SIGTERM to our own server PID, SIGKILL after 10 s.
stop_server() {
  [ -n "$server_pid" ] || return 0
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$server_pid" 2>/dev/null && kill -KILL "$server_pid" 2>/dev/null
  fi
  wait "$server_pid" 2>/dev/null
  server_pid=""
}

# stop_postgres: immediate shutdown of our own postmaster by PID.
stop_postgres() {
  [ -n "$pg_pid" ] || return 0
  kill -QUIT "$pg_pid" 2>/dev/null
  wait "$pg_pid" 2>/dev/null
  pg_pid=""
}

cleanup() {
  stop_server
  stop_postgres
  [ -n "$pg_dir" ] && rm -rf "$pg_dir"
  [ -n "${KEEP_WORK:-}" ] && { echo "conformance: work files kept in $work" >&2; return; }
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_postgres: a cluster in $pg_dir on a free 127.0.0.1 port with database
# `kalends`, and $work/kalends.conf naming it; sets pg_pid and config_args.
start_postgres() {
  local bin=${KALENDS_PG_BIN:-/usr/lib/postgresql/15/bin} as=() pg_port
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/kalends-pg-XXXXXX")
  if [ "$(id -u)" = 0 ]; then
    chown nobody:nogroup "$pg_dir"
    as=(/usr/bin/setpriv --reuid=nobody --regid=nogroup --clear-groups --)
  fi
  "${as[@]}" "$bin/initdb" -D "$pg_dir/data" -U kalends -A trust --no-locale -E UTF8 --no-sync \
    >"$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log" >&2; return 1; }
  pg_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "${as[@]}" "$bin/postgres" -D "$pg_dir/data" -p "$pg_port" -k "$pg_dir" -c listen_addresses=127.0.0.1 \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off >"$pg_dir/postgres.log" 2>&1 &
  pg_pid=$!
  for _ in $(seq 300); do
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" && break
    kill -0 "$pg_pid" 2>/dev/null || break
    sleep 0.1
  done
  "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U kalends kalends 2>>"$pg_dir/postgres.log" ||
    { echo "conformance: postgres did not start; its log:" >&2; cat "$pg_dir/postgres.log" >&2; return 1; }
  printf '[storage]\nbackend = postgresql\nurl = postgresql://kalends@127.0.0.1:%s/kalends?gssencmode=disable\n' \
    "$pg_port" >"$work/kalends.conf"
  config_args=(--config "$work/kalends.conf")
}

# add_user NAME PASSWORD
add_user() {
  printf '%s\n' "$2" | "$BIN" user add "$1" --email "$1@example.com" --password-stdin --data "$work/data" \
    "${config_args[@]}" >/dev/null
}

# start_server: serves $work/data on 127.0.0.1:0; sets port and server_pid.
start_server() {
  "$BIN" serve --listen 127.0.0.1:0 --data "$work/data" "${config_args[@]}" 2>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 100); do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$work/server.log" | head -n 1)
    [ -n "$port" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "conformance: server did not start; its log:" >&2
  cat "$work/server.log" >&2
  return 1
}

# record NAME PASS|FAIL
record() { printf '%s\t%s\n' "$1" "$2" >>"$results"; }

# finish: writes $OUT from $results and $suite_dir/expected-failures.txt.
finish() {
  local py=python3
  [ -x /usr/bin/python3 ] && py=/usr/bin/python3
  local suite
  suite=$(basename "$suite_dir")
  [ "${KALENDS_TEST_BACKEND:-}" = postgresql ] && suite="$suite-postgresql"
  "$py" - "$results" "$suite_dir/expected-failures.txt" "$OUT" "$suite" <<'PY'
import json, sys
results, expected_file, out, suite = sys.argv[1:5]
expected = {}
try:
    for line in open(expected_file, encoding="utf-8"):
        name, _, reason = line.partition("#")
        if name.strip():
            expected[name.strip()] = reason.strip()
except FileNotFoundError:
    pass
seen = set()
counts = {"OK": 0, "EXPECTEDFAIL": 0, "FAIL": 0}
with open(out, "w", encoding="utf-8") as o:
    for line in open(results, encoding="utf-8"):
        name, _, outcome = line.rstrip("\n").partition("\t")
        if not name or name in seen:
            continue
        seen.add(name)
        if outcome == "PASS":
            result = "OK"
            if name in expected:
                print(f"note: {suite}: {name} passes now; remove it from expected-failures.txt")
        elif name in expected:
            result = "EXPECTEDFAIL"
        else:
            result = "FAIL"
            print(f"FAIL: {suite}: {name}")
        counts[result] += 1
        o.write(json.dumps({"name": f"{suite}/{name}", "result": result}) + "\n")
    if not seen:
        o.write(json.dumps({"name": f"{suite}/no-results", "result": "FAIL"}) + "\n")
        counts["FAIL"] += 1
for name in sorted(set(expected) - seen):
    print(f"note: {suite}: {name} is listed in expected-failures.txt but did not run")
print(f"{suite}: {counts['OK']} passed, {counts['EXPECTEDFAIL']} expected failures, {counts['FAIL']} failed")
PY
}

# begin BIN OUT: common argument handling for a run script.
begin() {
  if [ $# -ne 2 ]; then
    echo "usage: $0 KALENDS_BINARY OUT_JSON" >&2
    exit 2
  fi
  BIN=$(realpath "$1")
  OUT=$(realpath -m "$2")
  if [ "${KALENDS_TEST_BACKEND:-}" = postgresql ]; then
    start_postgres || { record setup FAIL; finish; exit 1; }
  fi
}
