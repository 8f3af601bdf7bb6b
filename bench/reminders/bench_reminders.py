#!/usr/bin/python3
"""Reminder lateness (issue 26): N reminders all due at the same second, as
for a company-wide 09:00 meeting, through a real `kalends serve` with an SMTP
sink (aiosmtpd, in this process) or a Web Push receiver (tests/push/push_e2e.py's),
optionally while bench/http's kalends-bench runs its mixed phase against the
same server. Prints the lateness of each stage, measured from the start of
the due second:

  queued   the reminder's delivery committed with its mail/push job (the
           count of job_deliveries rows, polled every 50 ms)
  handed   the message arrived at the SMTP sink / push receiver

    bench_reminders.py --kalends build/src/kalends [--count 100000] [--method email|push]
                       [--lead 20] [--driver build/bench/http/kalends-bench --mixed-seconds 30]

Loading: one event with an alarm of the chosen method is PUT over CalDAV with
the server up; the server is stopped, its reminder job is copied COUNT - 1
times in the database with another repetition number (another delivery key,
the same event), and the server started again. Throwaway data directory;
stops only the processes it started. Asserts nothing."""
import argparse
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "push"))
os.environ.setdefault("KALENDS_SOURCE", os.path.join(HERE, "..", ".."))
import push_e2e as pe  # noqa: E402 - the push receiver and HTTP helpers
from aiosmtpd.controller import Controller  # noqa: E402

pe.PASSWORD["alice"] = "bench-pw"


class Sink:
    """Counts the reminder e-mails the SMTP sink accepts, with their arrival
    instants; the mixed phase's invitations (iMIP) are accepted, not counted."""

    def __init__(self):
        self.at = []
        self.other = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - the aiosmtpd interface
        reminder = b"\nSubject: Reminder:" in b"\n" + envelope.content[:4096].replace(b"\r\n", b"\n")
        with self.lock:
            if reminder:
                self.at.append(time.time())
            else:
                self.other += 1
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def utc(t):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def alarm(method):
    if method == "email":
        return ("BEGIN:VALARM\r\nACTION:EMAIL\r\nTRIGGER:-PT15M\r\nSUMMARY:s\r\nDESCRIPTION:d\r\n"
                "ATTENDEE:mailto:alice@example.com\r\nEND:VALARM\r\n")
    return "BEGIN:VALARM\r\nACTION:DISPLAY\r\nX-KALENDS-METHOD:push\r\nTRIGGER:-PT15M\r\nDESCRIPTION:d\r\nEND:VALARM\r\n"


def put_event(due, method):
    start = due + 900
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kalends//reminder bench//EN\r\nBEGIN:VEVENT\r\n"
           f"UID:all-hands\r\nDTSTAMP:{utc(time.time())}\r\nDTSTART:{utc(start)}\r\nDTEND:{utc(start + 3600)}\r\n"
           f"SUMMARY:All hands\r\nLOCATION:Main hall\r\n{alarm(method)}END:VEVENT\r\nEND:VCALENDAR\r\n")
    r = pe.request("PUT", "/dav/calendars/alice/calendar/all-hands.ics", ics, headers={"Content-Type": "text/calendar"})
    if r.status not in (201, 204):
        raise RuntimeError(f"PUT: {r!r}")


def clone_reminders(db_path, count):
    """Copies the one reminder job COUNT - 1 times, repetition 1..COUNT-1."""
    db = sqlite3.connect(db_path, timeout=30)
    with db:
        rows = db.execute("SELECT owner_id, kind, payload, due_at, created_at, object_id FROM jobs "
                          "WHERE kind = 'reminder'").fetchall()
        if len(rows) != 1:
            raise RuntimeError(f"expected one reminder job, found {len(rows)}")
        owner, kind, payload, due, created, obj = rows[0]
        head = payload.rsplit("\n", 1)[0]
        db.executemany("INSERT INTO jobs (owner_id, kind, payload, due_at, created_at, object_id) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       ((owner, kind, f"{head}\n{i}", due, created, obj) for i in range(1, count)))
    db.close()


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]


def summary(name, values, count):
    if not values:
        return f"{name:7s} none"
    return (f"{name:7s} n={len(values)}/{count} p50 {percentile(values, 50):.3f} s  p99 {percentile(values, 99):.3f} s  "
            f"max {max(values):.3f} s  (rate {len(values) / max(max(values) - min(values), 1e-3):.0f}/s)")


def poll_queued(db_path, due, count, stop, out):
    """Appends (instant - due) for each job_deliveries row as it appears."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    seen = 0
    while not stop.is_set() and seen < count:
        n = db.execute("SELECT count(*) FROM job_deliveries").fetchone()[0]
        now = time.time()
        out.extend([now - due] * (n - seen))
        seen = n
        time.sleep(0.05)
    db.close()


def main():
    a = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    a.add_argument("--kalends", required=True)
    a.add_argument("--count", type=int, default=100000)
    a.add_argument("--method", choices=["email", "push"], default="email")
    a.add_argument("--lead", type=float, default=20, help="seconds from restart to the due second")
    a.add_argument("--driver", help="kalends-bench, for a mixed phase during the firing")
    a.add_argument("--mixed-seconds", type=float, default=30)
    a.add_argument("--events", type=int, default=2000, help="events the mixed phase works on")
    a.add_argument("--timeout", type=float, default=900)
    a.add_argument("--connections", type=int, default=1,
                   help="[smtp] connections and [push] connections (the figures of 2026-12-07 used 4 and 8)")
    o = a.parse_args()
    pe.BIN = o.kalends
    work = tempfile.mkdtemp(prefix="kalends-reminder-bench-")
    pe.state["data"] = data = os.path.join(work, "data")
    procs = []
    try:
        pe.run_cli(["user", "add", "alice", "--email", "alice@example.com", "--password-stdin"], stdin="bench-pw\n")
        sink = Sink()
        smtp_port = free_port()
        smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
        smtp.start()
        rx = pe.state["rx"] = pe.Receiver()
        config = os.path.join(work, "kalends.conf")
        with open(config, "w") as f:
            f.write(f"[smtp]\nurl = smtp://127.0.0.1:{smtp_port}\nfrom = Calendar <calendar@example.org>\ntls = none\n"
                    f"connections = {o.connections}\n"
                    f"[push]\nallow-http = true\nvapid-subject = mailto:ops@example.org\nconnections = {o.connections}\n"
                    "[api]\nrate-per-minute = 0\n")
        proc, pe.state["port"] = pe.start_server(data, os.path.join(work, "server-1.log"), config)
        procs.append(proc)
        if o.method == "push":
            pe.subscribe("phone", pe.UserAgent())
        if o.driver:
            subprocess.run([o.driver, "--port", str(pe.state["port"]), "--password", "bench-pw", "--collection",
                            "/dav/calendars/alice/calendar/", "--events", str(o.events), "--put-events", "0",
                            "--phases", "seed"], check=True, stdout=subprocess.DEVNULL)
        put_event(int(time.time()) + 3600, o.method)
        pe.stop_server(proc)
        clone_reminders(os.path.join(data, "kalends.sqlite3"), o.count)
        # Every reminder due at one second, `lead` after the restart.
        db = sqlite3.connect(os.path.join(data, "kalends.sqlite3"), timeout=30)
        due = int(time.time() + o.lead)
        with db:
            db.execute("UPDATE jobs SET due_at = ? WHERE kind = 'reminder'", (due,))
        db.close()
        proc, pe.state["port"] = pe.start_server(data, os.path.join(work, "server-2.log"), config)
        procs.append(proc)
        mixed = None
        if o.driver:
            # The mixed phase straddles the due second.
            before = due - time.time() - o.mixed_seconds / 3
            if before > 0:
                time.sleep(before)
            mixed = subprocess.Popen([o.driver, "--port", str(pe.state["port"]), "--password", "bench-pw",
                                      "--collection", "/dav/calendars/alice/calendar/", "--events", str(o.events),
                                      "--phases", "mixed", "--mixed-seconds", str(o.mixed_seconds)],
                                     stdout=subprocess.PIPE, text=True)
        queued, stop = [], threading.Event()
        poller = threading.Thread(target=poll_queued, args=(os.path.join(data, "kalends.sqlite3"), due, o.count,
                                                            stop, queued), daemon=True)
        poller.start()
        deadline = due + o.timeout
        arrivals = (lambda: sink.at) if o.method == "email" else (lambda: [m["at"] for m in rx.messages])
        while time.time() < deadline and len(arrivals()) < o.count:
            time.sleep(0.2)
        stop.set()
        poller.join()
        handed = [t - due for t in arrivals()]
        load = open("/proc/loadavg").read().split()[:3]
        print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, load average "
              f"{' '.join(load)}; {o.count} {o.method} reminders due at one second"
              f"{', mixed phase running' if mixed else ''}")
        print(summary("queued", queued, o.count))
        print(summary("handed", handed, o.count))
        if mixed:
            out, _ = mixed.communicate(timeout=o.mixed_seconds + 120)
            print("# mixed phase: " + " | ".join(line for line in out.splitlines() if "mixed" in line))
        smtp.stop()
        rx.server.shutdown()
    finally:
        for p in procs:
            pe.stop_server(p)
        if os.environ.get("KEEP_WORK"):
            print(f"work files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
