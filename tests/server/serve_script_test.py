#!/usr/bin/python3
"""scripts/serve (README command 1) passes its arguments to `kalends serve`,
and only --data and --config to the `user list` that decides whether to show
the "No users yet" hint (issue 28): with serve's other options (--listen,
--log-level) that list used to fail, and the hint showed beside existing users.

Usage: serve_script_test.py SOURCE_DIR KALENDS_BIN
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(source, binary, args):
    """Runs scripts/serve with `args` until /health answers; returns its output."""
    port = free_port()
    env = dict(os.environ, KALENDS_SERVE_SKIP_BUILD="1", KALENDS_BIN=binary)
    proc = subprocess.Popen(["bash", os.path.join(source, "scripts", "serve"), *args,
                             "--listen", f"127.0.0.1:{port}", "--log-level", "warn"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 20
        while True:
            if proc.poll() is not None:
                fail("scripts/serve exited: " + proc.stdout.read() + proc.stderr.read())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                fail("the server scripts/serve started never answered /health")
            time.sleep(0.1)
    finally:
        # The script exec()s kalends: its PID is the server's.
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    return out, err


def main():
    source, binary = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        users = os.path.join(tmp, "with-users")
        subprocess.run([binary, "user", "add", "alice", "--email", "alice@example.com", "--password-stdin",
                        "--data", users], input="alice-secret-1\n", text=True, check=True, capture_output=True)
        out, err = serve(source, binary, ["--data", users])
        if "No users yet" in out:
            fail("the hint shows although alice exists:\n" + out + err)
        if "user list failed" in err:
            fail("user list was given serve's options:\n" + err)
        empty = os.path.join(tmp, "empty")
        out, err = serve(source, binary, [f"--data={empty}"])
        if "No users yet" not in out or f"--data={empty}" not in out:
            fail("an empty data directory gets no hint naming it:\n" + out + err)
    print("ok: scripts/serve hints only without users, and passes --data to user list")


main()
