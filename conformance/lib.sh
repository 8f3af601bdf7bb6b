# Shared by conformance/*/run: start a Kalends server on 127.0.0.1 with a fresh data
# directory, stop it by PID, and turn per-case results into the JSON lines that
# scripts/summarize-tests.py reads, applying the suite's expected-failures.txt.
# Sourced, not run. Callers set: suite_dir (the suite's folder), BIN, OUT.

set -uo pipefail

work=$(mktemp -d "${TMPDIR:-/tmp}/kalends-conformance-XXXXXX")
results="$work/results.tsv"   # one line per case: NAME<TAB>PASS|FAIL
: >"$results"
server_pid=""
port=""

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

cleanup() {
  stop_server
  [ -n "${KEEP_WORK:-}" ] && { echo "conformance: work files kept in $work" >&2; return; }
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# add_user NAME PASSWORD
add_user() {
  printf '%s\n' "$2" | "$BIN" user add "$1" --email "$1@example.com" --password-stdin --data "$work/data" >/dev/null
}

# start_server: serves $work/data on 127.0.0.1:0; sets port and server_pid.
start_server() {
  "$BIN" serve --listen 127.0.0.1:0 --data "$work/data" 2>"$work/server.log" &
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
  "$py" - "$results" "$suite_dir/expected-failures.txt" "$OUT" "$(basename "$suite_dir")" <<'PY'
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
}
