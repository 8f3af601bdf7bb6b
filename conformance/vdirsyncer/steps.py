#!/usr/bin/python3
"""vdirsyncer (Debian 0.19) two-way sync round trip between a local filesystem
storage and a Kalends calendar (RFC 4791 PUT/DELETE, PROPFIND, calendar-multiget):
create, edit and delete on each side, then a conflict; one named case per step,
printed as NAME<TAB>PASS|FAIL. The server side is checked with plain HTTP.
Usage: /usr/bin/python3 steps.py BASE_URL USER PASSWORD WORKDIR"""
import base64
import os
import re
import subprocess
import sys
import traceback
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

base, user, password, work = sys.argv[1:5]
calendar_url = f"{base}/dav/calendars/{user}/calendar/"
local = os.path.join(work, "local")
auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def ics(uid, summary):
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kalends conformance//EN",
        "BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20240101T000000Z",
        "DTSTART:20240110T090000Z", "DURATION:PT1H", f"SUMMARY:{summary}",
        "END:VEVENT", "END:VCALENDAR", ""])


def write_config(conflict_resolution=None):
    resolution = f'"{conflict_resolution}"' if conflict_resolution else "null"
    with open(os.path.join(work, "config"), "w") as f:
        f.write(f"""[general]
status_path = "{work}/status/"

[pair cal]
a = "local"
b = "remote"
collections = null
conflict_resolution = {resolution}

[storage local]
type = "filesystem"
path = "{local}/"
fileext = ".ics"

[storage remote]
type = "caldav"
url = "{calendar_url}"
username = "{user}"
password = "{password}"
""")


def vdirsyncer(*args):
    env = dict(os.environ, HOME=work, XDG_CONFIG_HOME=work, XDG_DATA_HOME=work)
    p = subprocess.run(["vdirsyncer", "-c", os.path.join(work, "config"), *args], env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def sync_ok():
    rc, out = vdirsyncer("sync")
    check(rc == 0, f"vdirsyncer sync exited {rc}:\n{out}")


def http(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body.encode() if body else None, method=method,
                                 headers={"Authorization": auth, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def server_items():
    """UID -> (href, data) for every object in the remote calendar."""
    status, body = http("PROPFIND", calendar_url, '<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>',
                        {"Depth": "1", "Content-Type": "application/xml"})
    check(status == 207, f"PROPFIND gave {status}")
    items = {}
    for href in ET.fromstring(body).iter("{DAV:}href"):
        path = href.text.strip()
        if path.endswith("/"):
            continue
        url = urllib.parse.urljoin(calendar_url, path)
        s, data = http("GET", url)
        check(s == 200, f"GET {url} gave {s}")
        m = re.search(r"^UID:(.*?)\r?$", data, re.M)
        if m:
            items[m.group(1)] = (url, data)
    return items


def local_items():
    """UID -> (path, data) for every file in the local storage."""
    items = {}
    for name in os.listdir(local):
        path = os.path.join(local, name)
        data = open(path, encoding="utf-8").read()
        m = re.search(r"^UID:(.*?)\r?$", data, re.M)
        if m:
            items[m.group(1)] = (path, data)
    return items


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def discover():
    os.makedirs(local, exist_ok=True)
    write_config()
    rc, out = vdirsyncer("discover")
    check(rc == 0, f"vdirsyncer discover exited {rc}:\n{out}")
    # vdirsyncer refuses to sync a side that was emptied; this item stays on both.
    with open(os.path.join(local, "keep.ics"), "w", encoding="utf-8", newline="") as f:
        f.write(ics("keep", "Stays on both sides"))
    sync_ok()
    check("keep" in server_items(), "the first item did not reach the server")


def create_local():
    with open(os.path.join(local, "l1.ics"), "w", encoding="utf-8", newline="") as f:
        f.write(ics("l1", "Made locally"))
    sync_ok()
    check("SUMMARY:Made locally" in server_items().get("l1", ("", ""))[1], "l1 not on the server")


def create_remote():
    s, _ = http("PUT", calendar_url + "r1.ics", ics("r1", "Made remotely"),
                {"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"})
    check(s == 201, f"PUT gave {s}")
    sync_ok()
    check("SUMMARY:Made remotely" in local_items().get("r1", ("", ""))[1], "r1 not in the local storage")


def edit_local():
    path = local_items()["l1"][0]
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(ics("l1", "Edited locally"))
    sync_ok()
    check("SUMMARY:Edited locally" in server_items()["l1"][1], "the local edit did not reach the server")


def edit_remote():
    url = server_items()["r1"][0]
    s, _ = http("PUT", url, ics("r1", "Edited remotely"), {"Content-Type": "text/calendar; charset=utf-8"})
    check(s in (200, 204), f"PUT gave {s}")
    sync_ok()
    check("SUMMARY:Edited remotely" in local_items()["r1"][1], "the remote edit did not reach the local storage")


def delete_local():
    os.remove(local_items()["l1"][0])
    sync_ok()
    check("l1" not in server_items(), "l1 is still on the server")


def delete_remote():
    s, _ = http("DELETE", server_items()["r1"][0])
    check(s in (200, 204), f"DELETE gave {s}")
    sync_ok()
    check("r1" not in local_items(), "r1 is still in the local storage")


def conflict_is_reported():
    with open(os.path.join(local, "c1.ics"), "w", encoding="utf-8", newline="") as f:
        f.write(ics("c1", "Original"))
    sync_ok()
    path = local_items()["c1"][0]
    url = server_items()["c1"][0]
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(ics("c1", "Local side"))
    s, _ = http("PUT", url, ics("c1", "Remote side"), {"Content-Type": "text/calendar; charset=utf-8"})
    check(s in (200, 204), f"PUT gave {s}")
    rc, out = vdirsyncer("sync")
    check(rc != 0 and "conflict" in out.lower(), f"no conflict reported (exit {rc}):\n{out}")


def conflict_resolved_local_wins():
    write_config("a wins")
    sync_ok()
    check("SUMMARY:Local side" in server_items()["c1"][1], "the server did not take the local version")
    check("SUMMARY:Local side" in local_items()["c1"][1], "the local version changed")


steps = [discover, create_local, create_remote, edit_local, edit_remote, delete_local, delete_remote,
         conflict_is_reported, conflict_resolved_local_wins]

for step in steps:
    try:
        step()
        outcome = "PASS"
    except Exception as e:  # each step's failure is that case's result
        outcome = "FAIL"
        print(f"--- {step.__name__}: {type(e).__name__}: {e}", file=sys.stderr)
        traceback.print_exc(limit=2, file=sys.stderr)
    print(f"{step.__name__}\t{outcome}", flush=True)
