#!/usr/bin/python3
"""End-to-end tests of the JSON API v1 (issue 24, /work/api-contract.md) over
real HTTP: a fresh data directory, users made with the kalends CLI, a server
on 127.0.0.1, the specification's example requests, the same data read back
through CalDAV as a client reads it, every error status with a hostile body,
and the curl examples of docs/api.md. Every JSON answer is validated against
docs/openapi.json (its schema for that path, method and status).

Environment: KALENDS_BIN (the kalends executable), KALENDS_SOURCE (the source
tree). Prints `ok NAME` or `FAIL NAME: why` per case, then a summary in the
form scripts/summarize-tests.py counts; exits 1 when a case failed."""
import base64
import concurrent.futures
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
import xml.etree.ElementTree as ET
import zoneinfo

from jsonschema import Draft202012Validator, RefResolver

BIN = os.environ.get("KALENDS_BIN", "")
SOURCE = os.environ.get("KALENDS_SOURCE", os.path.join(os.path.dirname(__file__), "..", ".."))
PASSWORD = {"alice": "alice-secret-1", "bob": "bob-secret-2", "carol": "carol-secret-3"}
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
UTC_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
state = {}

# ---------------------------------------------------------------- the document

DOC = json.load(open(os.path.join(SOURCE, "docs", "openapi.json"), encoding="utf-8"))
RESOLVER = RefResolver.from_schema(DOC)


def operation(method, path):
    """The OpenAPI path template and operation matching a request path. A
    method the path does not define gets the 405 answer."""
    path = path.split("?", 1)[0]
    for template, item in DOC["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            if method.lower() in item:
                return template, item[method.lower()]
            return template, {"responses": {"405": {"$ref": "#/components/responses/MethodNotAllowed"}}}
    return None, None


def response_spec(op, status):
    spec = op["responses"].get(str(status)) or op["responses"].get("default")
    if spec and "$ref" in spec:
        spec = RESOLVER.resolve(spec["$ref"])[1]
    return spec


def validate(method, path, resp, headers=True):
    """Raises AssertionError when the answer does not match the document
    (with `headers`, also when a header it requires is missing)."""
    template, op = operation(method, path)
    if op is None:
        if path.startswith("/api/"):
            raise AssertionError(f"{method} {path}: no such operation in docs/openapi.json")
        return
    spec = response_spec(op, resp.status)
    if spec is None:
        raise AssertionError(f"{method} {template}: status {resp.status} is not documented")
    content = spec.get("content")
    if not content:
        if resp.body:
            raise AssertionError(f"{method} {template} {resp.status}: body where none is documented: {resp.body[:200]!r}")
        return
    ctype = resp.header("Content-Type").split(";")[0].strip().lower()
    if ctype not in content:
        raise AssertionError(f"{method} {template} {resp.status}: Content-Type {ctype!r}, documented {sorted(content)}")
    schema = content[ctype]["schema"]
    try:
        value = json.loads(resp.body)
    except ValueError as e:
        raise AssertionError(f"{method} {template} {resp.status}: body is not JSON ({e}): {resp.body[:200]!r}")
    errors = sorted(Draft202012Validator(schema, resolver=RESOLVER).iter_errors(value), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        where = "/".join(str(p) for p in e.absolute_path)
        raise AssertionError(f"{method} {template} {resp.status}: schema: at '{where}': {e.message}")
    for name, header in spec.get("headers", {}).items() if headers else ():
        if "$ref" in header:
            header = RESOLVER.resolve(header["$ref"])[1]
        if header.get("required") and not resp.header(name):
            raise AssertionError(f"{method} {template} {resp.status}: header {name} missing")

# ---------------------------------------------------------------- HTTP


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body
        self._json = None

    def header(self, name):
        """The header's value; several fields of one name joined by ", "."""
        return ", ".join(v for k, v in self.headers if k.lower() == name.lower())

    @property
    def json(self):
        if self._json is None:
            self._json = json.loads(self.body)
        return self._json

    def __repr__(self):
        return f"{self.status} {self.body[:400]!r}"


def auth_header(user):
    if user is None:
        return {}
    if user.startswith("Bearer "):
        return {"Authorization": user}
    raw = (user if ":" in user else f"{user}:{PASSWORD[user]}").encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def request(method, path, body=None, user="alice", headers=None, port=None, check=True):
    """Sends one request; `body` is bytes, str or a JSON value. Validates
    /api/ answers against the document unless check is False."""
    hdrs = dict(auth_header(user))
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
        hdrs["Content-Type"] = "application/json"
    if isinstance(body, str):
        body = body.encode("utf-8")
    if body is not None:
        hdrs.setdefault("Content-Type", "application/json")
        hdrs["Content-Length"] = str(len(body))
    hdrs.update(headers or {})
    conn = http.client.HTTPConnection("127.0.0.1", port or state["port"], timeout=60)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders()
        if body:
            try:
                for i in range(0, len(body), 65536):
                    conn.send(body[i:i + 65536])
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered before reading it all (413): read that answer
        r = conn.getresponse()
        resp = Resp(r.status, r.getheaders(), r.read())
    finally:
        conn.close()
    if check and path.startswith("/api/"):
        validate(method, path, resp)
    return resp


def api(method, path, body=None, user="alice", headers=None, expect=None, port=None):
    resp = request(method, "/api/v1" + path, body, user, headers, port)
    if expect is not None and resp.status != expect:
        raise AssertionError(f"{method} /api/v1{path}: expected {expect}, got {resp!r}")
    return resp


def need(key):
    """What an earlier case left in state; a clear failure when it did not."""
    if key not in state:
        raise AssertionError(f"needs '{key}' from an earlier case, which failed")
    return state[key]


def eq(got, want, what):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def problem(resp, status, slug, field=None):
    eq(resp.status, status, f"status of {resp!r}")
    eq(resp.header("Content-Type").split(";")[0], "application/problem+json", "problem Content-Type")
    eq(resp.json["type"], f"/api/v1/problems/{slug}", "problem type")
    eq(resp.json["status"], status, "problem status member")
    if field is not None:
        eq(resp.json.get("field"), field, "problem field")

# ---------------------------------------------------------------- CalDAV and iCalendar

DAV = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav"}


def dav(method, path, body=None, user="alice", headers=None):
    hdrs = {"Content-Type": "application/xml; charset=utf-8"}
    hdrs.update(headers or {})
    return request(method, path, body, user, hdrs, check=False)


def calendar_data(resp):
    """href → calendar-data of a multistatus answer."""
    check(resp.status == 207, f"expected 207 multistatus, got {resp!r}")
    out = {}
    for r in ET.fromstring(resp.body).findall("d:response", DAV):
        href = urllib.parse.unquote(r.findtext("d:href", "", DAV))
        data = r.find(".//c:calendar-data", DAV)
        out[href] = data.text if data is not None else None
    return out


def multiget(user, calendar, hrefs):
    body = ('<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" '
            'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>'
            + "".join(f"<d:href>{h}</d:href>" for h in hrefs) + "</c:calendar-multiget>")
    return calendar_data(dav("REPORT", f"/dav/calendars/{user}/{calendar}/", body, user, {"Depth": "1"}))


def time_range_query(user, calendar, start, end):
    body = ('<?xml version="1.0" encoding="utf-8"?><c:calendar-query xmlns:d="DAV:" '
            'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>'
            '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">'
            f'<c:time-range start="{start}" end="{end}"/></c:comp-filter></c:comp-filter></c:filter>'
            '</c:calendar-query>')
    return calendar_data(dav("REPORT", f"/dav/calendars/{user}/{calendar}/", body, user, {"Depth": "1"}))


def parse_ics(text):
    """The VEVENTs of an iCalendar text: dicts NAME → [(params, value)], with
    'VALARM' → [such dicts]."""
    text = re.sub(r"\r?\n[ \t]", "", text)
    events, stack = [], []
    for line in text.splitlines():
        if not line:
            continue
        m = re.match(r"^([A-Za-z0-9-]+)((?:;[^:;]+=(?:\"[^\"]*\"|[^:;]*))*):(.*)$", line)
        if not m:
            continue
        name, rawparams, value = m.group(1).upper(), m.group(2), m.group(3)
        if name == "BEGIN":
            stack.append((value.upper(), {}))
            continue
        if name == "END":
            kind, comp = stack.pop()
            if kind == "VEVENT":
                events.append(comp)
            elif kind == "VALARM" and stack:
                stack[-1][1].setdefault("VALARM", []).append(comp)
            continue
        params = {}
        for p in re.findall(r";([^:;=]+)=(\"[^\"]*\"|[^:;]*)", rawparams):
            params[p[0].upper()] = p[1].strip('"')
        if stack:
            stack[-1][1].setdefault(name, []).append((params, value))
    return events


def instant(params, value):
    """A DATE-TIME property value (with TZID, Z or floating UTC) as UTC seconds."""
    dt = datetime.datetime.strptime(value.rstrip("Z")[:15], "%Y%m%dT%H%M%S")
    if value.endswith("Z"):
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    else:
        dt = dt.replace(tzinfo=zoneinfo.ZoneInfo(params.get("TZID", "UTC")))
    return int(dt.timestamp())


def secs(rfc3339):
    return int(datetime.datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp())


def utc(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def master_and_overrides(ics):
    events = parse_ics(ics)
    masters = [e for e in events if "RECURRENCE-ID" not in e]
    check(len(masters) == 1, f"expected one master VEVENT, found {len(masters)}")
    return masters[0], [e for e in events if "RECURRENCE-ID" in e]


def rrule(vevent):
    check("RRULE" in vevent, "no RRULE")
    return dict(part.split("=", 1) for part in vevent["RRULE"][0][1].split(";"))


def dav_object(user, calendar_url):
    r = request("GET", calendar_url, user=user, check=False)
    check(r.status == 200, f"CalDAV GET {calendar_url}: {r!r}")
    return r.body.decode("utf-8")

# ---------------------------------------------------------------- the server


def run_cli(args, stdin=None, data=None):
    p = subprocess.run([BIN] + args + ["--data", data or state["data"]], input=stdin, capture_output=True,
                       text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"kalends {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def start_server(data, log, config=None):
    """Starts `kalends serve` on 127.0.0.1:0 and reads the port it bound from
    its log (no race with another program taking a port we picked)."""
    args = [BIN, "serve", "--data", data, "--listen", "127.0.0.1:0"]
    if config:
        args += ["--config", config]
    logf = open(log, "w")
    proc = subprocess.Popen(args, stdout=logf, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", open(log).read())
        if m:
            port = int(m.group(1))
            try:
                if request("GET", "/health", user=None, port=port, check=False).status == 200:
                    return proc, port
            except OSError:
                pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError("server did not start: " + open(log).read()[-2000:])


def stop_server(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

# ---------------------------------------------------------------- the specification's examples

STANDUP = {
    "title": "Daily Standup",
    "description": "Daily team sync",
    "location": "Conference Room A",
    "start_time": "2024-01-15T15:00:00Z",
    "end_time": "2024-01-15T15:15:00Z",
    "time_zone": "America/New_York",
    "attendees": [
        {"email": "bob@example.com", "optional": False},
        {"email": "carol@example.com", "optional": True},
    ],
    "recurrence": {
        "frequency": "weekly",
        "interval": 1,
        "by_day": ["MO", "TU", "WE", "TH", "FR"],
        "until": "2024-12-31T23:59:59Z",
    },
    "reminders": [{"minutes_before": 15, "method": "display"}],
}


def attendee(body, email):
    found = [a for a in body["attendees"] if a["email"] == email]
    check(len(found) == 1, f"attendee {email} appears {len(found)} times in {body['attendees']}")
    return found[0]


def spec_create_standup_answers_201_with_every_field():
    r = api("POST", "/events", STANDUP, expect=201)
    b = r.json
    state["standup"] = b
    check(UUID4.match(b["event_id"]), f"event_id {b['event_id']!r} is not a lowercase UUID v4")
    eq(r.header("Location"), f"/api/v1/events/{b['event_id']}", "Location")
    eq(r.header("ETag").strip('"'), b["etag"].strip('"'), "ETag header and etag member")
    eq(b["title"], "Daily Standup", "title")
    eq(b["description"], "Daily team sync", "description")
    eq(b["location"], "Conference Room A", "location")
    eq(b["start_time"], "2024-01-15T15:00:00Z", "start_time")
    eq(b["end_time"], "2024-01-15T15:15:00Z", "end_time")
    eq(b["time_zone"], "America/New_York", "time_zone")
    eq(b["all_day"], False, "all_day")
    eq(b["is_recurring"], True, "is_recurring")
    eq(b["recurrence_id"], None, "recurrence_id")
    eq(b["calendar_id"], "calendar", "calendar_id")
    eq(b["calendar_url"], f"/dav/calendars/alice/calendar/{b['event_id']}.ics", "calendar_url")
    eq(b["organizer"], {"email": "alice@example.com"}, "organizer")
    eq(b["recurrence"]["frequency"], "weekly", "recurrence.frequency")
    eq(b["recurrence"]["interval"], 1, "recurrence.interval")
    eq(b["recurrence"]["by_day"], ["MO", "TU", "WE", "TH", "FR"], "recurrence.by_day")
    eq(b["recurrence"]["until"], "2024-12-31T23:59:59Z", "recurrence.until")
    eq(attendee(b, "bob@example.com"), {"email": "bob@example.com", "status": "pending", "optional": False}, "bob")
    eq(attendee(b, "carol@example.com"), {"email": "carol@example.com", "status": "pending", "optional": True}, "carol")
    eq(b["reminders"], [{"minutes_before": 15, "method": "display"}], "reminders")
    eq(b["conflicts"], [], "conflicts (alice has nothing else)")


def spec_availability_check_for_alice_and_bob():
    r = api("POST", "/availability/check", {
        "users": ["alice@example.com", "bob@example.com"],
        "start_time": "2024-01-15T14:00:00Z",
        "end_time": "2024-01-15T22:00:00Z",
        "time_zone": "America/New_York",
    }, expect=200)
    b = r.json
    eq(b["time_zone"], "America/New_York", "time_zone")
    eq(sorted(b["availability"]), ["alice@example.com", "bob@example.com"], "users answered")
    standup = {"start": "2024-01-15T15:00:00Z", "end": "2024-01-15T15:15:00Z"}
    # Default working hours: 09:00-17:00 Monday to Friday in api.time-zone (UTC).
    work = [{"start": "2024-01-15T14:00:00Z", "end": "2024-01-15T17:00:00Z"}]
    free = [{"start": "2024-01-15T14:00:00Z", "end": "2024-01-15T15:00:00Z"},
            {"start": "2024-01-15T15:15:00Z", "end": "2024-01-15T17:00:00Z"}]
    for who in ("alice@example.com", "bob@example.com"):
        a = b["availability"][who]
        eq(a["known"], True, f"{who} known")
        eq(a["busy_slots"], [standup], f"{who} busy_slots (bob's invitation counts as busy)")
        eq(a["working_hours"], work, f"{who} working_hours")
        eq(a["free_slots"], free, f"{who} free_slots")
    eq(b["common_free_slots"], free, "common_free_slots")


def availability_reports_unknown_addresses_as_unknown_not_free():
    r = api("POST", "/availability/check", {
        "users": ["alice@example.com", "nobody@elsewhere.example"],
        "start_time": "2024-01-15T14:00:00Z", "end_time": "2024-01-15T16:00:00Z", "time_zone": "UTC"}, expect=200)
    u = r.json["availability"]["nobody@elsewhere.example"]
    eq(u["known"], False, "known")
    eq((u["free_slots"], u["busy_slots"]), ([], []), "slots of an unknown address")
    eq(r.json["common_free_slots"], r.json["availability"]["alice@example.com"]["free_slots"],
       "common free slots over known users only")


def availability_checks_sent_at_once_answer_as_one_sent_alone():
    # Each check and suggestion reads in one snapshot and holds one of the
    # store's reader connections (4) while it runs: sixteen at once, from
    # three users, must all answer, and answer as one sent alone does.
    check_body = {"users": ["alice@example.com", "bob@example.com"], "start_time": "2024-01-15T14:00:00Z",
                  "end_time": "2024-01-15T22:00:00Z", "time_zone": "America/New_York"}
    suggest_body = {"users": ["alice@example.com", "bob@example.com"], "duration_minutes": 30,
                    "start_time": "2024-01-15T14:00:00Z", "end_time": "2024-01-16T22:00:00Z", "time_zone": "UTC"}
    calls = [("/availability/check", check_body), ("/availability/suggest", suggest_body)]
    alone = [api("POST", path, body, expect=200).json for path, body in calls]
    users = ("alice", "bob", "carol")

    def send(k):
        path, body = calls[k % 2]
        return api("POST", path, body, user=users[k % 3])

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(send, range(16)))
    for k, r in enumerate(answers):
        eq(r.status, 200, f"status of {calls[k % 2][0]} {k} sent at once by {users[k % 3]}")
        eq(r.json, alone[k % 2], f"{calls[k % 2][0]} {k} sent at once by {users[k % 3]}")
    check(alone[0]["availability"]["alice@example.com"]["busy_slots"], "the standup is busy time in the check")


def spec_single_instance_patch_writes_an_override():
    eid = need("standup")["event_id"]
    r = api("PATCH", f"/events/{eid}", {
        "update_scope": "this_instance",
        "instance_date": "2024-01-17T15:00:00Z",
        "title": "Daily Standup (moved)",
        "start_time": "2024-01-17T16:00:00Z",
        "end_time": "2024-01-17T16:15:00Z",
    }, expect=200)
    b = r.json
    eq(b["event_id"], eid, "event_id")
    eq(b["exception_id"], f"{eid}_20240117T150000Z", "exception_id")
    eq(b["new_event_id"], None, "new_event_id")
    eq(b["conflicts"], [], "conflicts")
    check(b["message"], "empty message")
    g = api("GET", f"/events/{b['exception_id']}", expect=200).json
    eq(g["recurrence_id"], "2024-01-17T15:00:00Z", "instance recurrence_id")
    eq((g["start_time"], g["end_time"]), ("2024-01-17T16:00:00Z", "2024-01-17T16:15:00Z"), "instance times")
    eq(g["title"], "Daily Standup (moved)", "instance title")


def spec_rsvp_bob_accepts():
    eid = need("standup")["event_id"]
    r = api("POST", f"/events/{eid}/rsvp", {"response": "accepted", "comment": "See you there"}, user="bob",
            expect=200)
    b = r.json
    eq(b["event_id"], eid, "event_id")
    eq(b["attendee"], "bob@example.com", "attendee")
    eq(b["status"], "accepted", "status")
    g = api("GET", f"/events/{eid}", expect=200).json
    eq(attendee(g, "bob@example.com")["status"], "accepted", "bob's status in alice's event")


def bobs_answer_reaches_carols_copy_after_the_refresh_delay():
    """The other attendees' copies take an answer by a job queued with it,
    due after [limits] attendee-refresh-delay (5 s by default)."""
    eid = need("standup")["event_id"]
    started = time.monotonic()
    while True:
        g = api("GET", f"/events/{eid}", user="carol", expect=200).json
        if attendee(g, "bob@example.com")["status"] == "accepted":
            break
        check(time.monotonic() - started < 30, "carol's copy did not show bob's answer within 30 s")
        time.sleep(0.25)
    eq(attendee(g, "carol@example.com")["status"], "pending", "carol's own answer, still to give")


def spec_week_listing_in_new_york_expands_instances():
    eid = need("standup")["event_id"]
    q = urllib.parse.urlencode({"start": "2024-01-15T00:00:00-05:00", "end": "2024-01-20T00:00:00-05:00",
                                "time_zone": "America/New_York"})
    b = api("GET", f"/events?{q}", expect=200).json
    eq(b["total"], 5, "total")
    eq(b["next_cursor"], None, "next_cursor")
    eq([e["event_id"] for e in b["events"]], [eid] * 5, "event ids")
    count = len(api("GET", f"/events/{eid}", expect=200).json["attendees"])
    for day, e in zip(range(15, 20), b["events"]):
        moved = day == 17
        eq(e["instance_date"], f"2024-01-{day}T15:00:00Z", "instance_date")
        eq(e["exception_id"], f"{eid}_202401{day}T150000Z", "exception_id")
        eq(e["start_time"], f"2024-01-{day}T{16 if moved else 15}:00:00Z", f"start_time on the {day}th")
        eq(e["end_time"], f"2024-01-{day}T{16 if moved else 15}:15:00Z", f"end_time on the {day}th")
        eq(e["title"], "Daily Standup (moved)" if moved else "Daily Standup", "title")
        eq(e["location"], "Conference Room A", "location")
        eq(e["time_zone"], "America/New_York", "time_zone")
        eq(e["calendar_id"], "calendar", "calendar_id")
        eq(e["is_recurring"], True, "is_recurring")
        eq(e["all_day"], False, "all_day")
        eq(e["attendees_count"], count, "attendees_count (as many as the event's attendees)")
        eq(e["my_status"], "organizer", "my_status")
        eq(e["conflicts"], False, "conflicts")
        eq(e["status"], "confirmed", "status")
    bob = api("GET", f"/events?{q}", user="bob", expect=200).json
    eq([e["my_status"] for e in bob["events"] if e["event_id"] == eid and e["instance_date"] != "2024-01-17T15:00:00Z"],
       ["accepted"] * 4, "bob's my_status after accepting")


def listing_pages_with_a_cursor():
    q = {"start": "2024-01-15T00:00:00Z", "end": "2024-01-20T00:00:00Z", "limit": "2"}
    seen, cursor, pages = [], None, 0
    while True:
        params = dict(q, **({"cursor": cursor} if cursor else {}))
        b = api("GET", "/events?" + urllib.parse.urlencode(params), expect=200).json
        pages += 1
        check(len(b["events"]) <= 2, f"page of {len(b['events'])} with limit 2")
        eq(b["total"], 5, "total on every page")
        seen += [e["instance_date"] for e in b["events"]]
        cursor = b["next_cursor"]
        if not cursor or pages > 5:
            break
    eq(pages, 3, "pages")
    eq(seen, [f"2024-01-{d}T15:00:00Z" for d in range(15, 20)], "instances over the pages")


def listing_range_over_the_limit_is_422():
    q = urllib.parse.urlencode({"start": "2024-01-01T00:00:00Z", "end": "2025-06-01T00:00:00Z"})
    problem(api("GET", f"/events?{q}"), 422, "validation")


def listing_without_range_is_400():
    problem(api("GET", "/events?start=yesterday"), 400, "invalid-request")

# ---------------------------------------------------------------- CalDAV agrees


def caldav_propfind_lists_the_standup():
    eid = need("standup")["event_id"]
    body = ('<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/>'
            '<d:getcontenttype/></d:prop></d:propfind>')
    r = dav("PROPFIND", "/dav/calendars/alice/calendar/", body, headers={"Depth": "1"})
    eq(r.status, 207, "PROPFIND status")
    hrefs = [urllib.parse.unquote(h.text) for h in ET.fromstring(r.body).iter("{DAV:}href")]
    check(f"/dav/calendars/alice/calendar/{eid}.ics" in hrefs, f"{eid}.ics not in {hrefs}")


def caldav_multiget_shows_rrule_override_partstat_alarm_organizer():
    s = need("standup")
    data = multiget("alice", "calendar", [s["calendar_url"]])
    ics = data.get(s["calendar_url"])
    check(ics, f"no calendar-data for {s['calendar_url']}: {data}")
    master, overrides = master_and_overrides(ics)
    rule = rrule(master)
    eq(rule.get("FREQ"), "WEEKLY", "FREQ")
    eq(sorted(rule.get("BYDAY", "").split(",")), sorted(["MO", "TU", "WE", "TH", "FR"]), "BYDAY")
    eq(rule.get("UNTIL"), "20241231T235959Z", "UNTIL")
    check(rule.get("INTERVAL", "1") == "1", f"INTERVAL {rule.get('INTERVAL')}")
    params, value = master["DTSTART"][0]
    eq(params.get("TZID"), "America/New_York", "DTSTART TZID")
    eq(value, "20240115T100000", "DTSTART (10:00 New York)")
    eq(master["SUMMARY"][0][1], "Daily Standup", "SUMMARY")
    eq(master["ORGANIZER"][0][1].lower(), "mailto:alice@example.com", "ORGANIZER")
    atts = {v.lower(): p for p, v in master.get("ATTENDEE", [])}
    check("mailto:bob@example.com" in atts, f"no ATTENDEE bob: {sorted(atts)}")
    eq(atts["mailto:bob@example.com"].get("PARTSTAT"), "ACCEPTED", "bob's PARTSTAT after the RSVP")
    eq(atts["mailto:carol@example.com"].get("ROLE"), "OPT-PARTICIPANT", "carol's ROLE")
    triggers = [a["TRIGGER"][0][1] for a in master.get("VALARM", [])]
    eq(triggers, ["-PT15M"], "VALARM TRIGGER")
    eq(len(overrides), 1, "overrides")
    o = overrides[0]
    eq(instant(*o["RECURRENCE-ID"][0]), secs("2024-01-17T15:00:00Z"), "RECURRENCE-ID")
    eq(instant(*o["DTSTART"][0]), secs("2024-01-17T16:00:00Z"), "override DTSTART")
    eq(o["SUMMARY"][0][1], "Daily Standup (moved)", "override SUMMARY")


def caldav_bob_has_the_invitation():
    eid = need("standup")["event_id"]
    ics = dav_object("bob", f"/dav/calendars/bob/calendar/{eid}.ics")
    master, _ = master_and_overrides(ics)
    atts = {v.lower(): p for p, v in master.get("ATTENDEE", [])}
    eq(atts.get("mailto:bob@example.com", {}).get("PARTSTAT"), "ACCEPTED", "bob's own PARTSTAT")


APPLE_GOLDEN = "tests/golden/clients/apple/scheduling-invite-accept.txt"


def apple_calendar_put_appears_in_the_json_listing():
    # The first request of tests/golden/clients/apple/scheduling-invite-accept.txt:
    # macOS 14.5 CalendarAgent creating a meeting (alice organizer, bob invited).
    text = open(os.path.join(SOURCE, APPLE_GOLDEN), encoding="utf-8").read()
    first = text.split("\n----\n", 1)[0]
    body = first.split("\n\n", 1)[1].strip("\n").replace("\n", "\r\n") + "\r\n"
    uid = re.search(r"^UID:(.+)$", body, re.M).group(1).strip()
    r = request("PUT", f"/dav/calendars/alice/calendar/{uid}.ics", body, check=False,
                headers={"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*",
                         "User-Agent": "macOS/14.5 (23F79) CalendarAgent/988.5.4.1"})
    eq(r.status, 201, f"CalDAV PUT of the Apple body: {r!r}")
    q = urllib.parse.urlencode({"start": "2027-03-01T00:00:00Z", "end": "2027-03-02T00:00:00Z"})
    events = [e for e in api("GET", f"/events?{q}", expect=200).json["events"] if e["event_id"] == uid]
    eq(len(events), 1, "the Apple event in the listing")
    e = events[0]
    eq((e["title"], e["start_time"], e["end_time"]), ("Quarterly review", "2027-03-01T09:00:00Z", "2027-03-01T10:00:00Z"),
       "title and times")
    eq((e["is_recurring"], e["instance_date"], e["exception_id"]), (False, None, None), "not recurring")
    eq(e["my_status"], "organizer", "my_status")
    g = api("GET", f"/events/{urllib.parse.quote(uid)}", expect=200).json
    eq(g["organizer"], {"email": "alice@example.com"}, "organizer")
    eq(attendee(g, "bob@example.com")["status"], "pending", "bob's status")
    bob = api("GET", f"/events?{q}", user="bob", expect=200).json["events"]
    eq([e["my_status"] for e in bob if e["event_id"] == uid], ["pending"], "bob's listing")


def api_created_event_is_found_by_a_caldav_report():
    b = api("POST", "/events", {"title": "API lunch", "start_time": "2027-03-02T12:00:00Z",
                                "end_time": "2027-03-02T13:00:00+00:00", "location": "Canteen"}, expect=201).json
    state["lunch"] = b
    eq(b["organizer"], None, "organizer of an event without attendees")
    eq(b["is_recurring"], False, "is_recurring")
    eq(b["recurrence"], None, "recurrence")
    found = time_range_query("alice", "calendar", "20270302T000000Z", "20270303T000000Z")
    check(b["calendar_url"] in found, f"{b['calendar_url']} not in the calendar-query answer {sorted(found)}")
    ev = parse_ics(found[b["calendar_url"]])[0]
    eq(ev["UID"][0][1], b["event_id"], "UID")
    eq(ev["SUMMARY"][0][1], "API lunch", "SUMMARY")
    eq(ev["LOCATION"][0][1], "Canteen", "LOCATION")
    eq(instant(*ev["DTSTART"][0]), secs("2027-03-02T12:00:00Z"), "DTSTART")

# ---------------------------------------------------------------- errors


def valid_event(**over):
    base = {"title": "Check", "start_time": "2026-05-04T09:00:00Z", "end_time": "2026-05-04T10:00:00Z"}
    base.update(over)
    return base


def malformed_json_is_400():
    problem(api("POST", "/events", '{"title": "x", "start_time": '), 400, "malformed-json")


def top_level_array_is_400():
    problem(api("POST", "/events", "[1, 2, 3]"), 400, "malformed-json")


def nesting_1000_levels_deep_is_400():
    body = '{"title": "deep", "extra": ' + "[" * 1000 + "]" * 1000 + "}"
    problem(api("POST", "/events", body), 400, "malformed-json")


def ten_megabyte_string_is_413():
    body = json.dumps(valid_event(title="A" * (10 * 1024 * 1024)))
    problem(api("POST", "/events", body), 413, "payload-too-large")


def string_over_string_bytes_is_422_naming_it():
    problem(api("POST", "/events", valid_event(description="d" * (100 * 1024))), 422, "validation", "description")


def wrong_type_title_is_422_naming_title():
    problem(api("POST", "/events", valid_event(title=5)), 422, "validation", "title")


def missing_title_is_422_naming_title():
    body = valid_event()
    del body["title"]
    problem(api("POST", "/events", body), 422, "validation", "title")


def end_before_start_is_422_naming_end_time():
    problem(api("POST", "/events", valid_event(end_time="2026-05-04T08:00:00Z")), 422, "validation", "end_time")


def unknown_time_zone_is_422_naming_time_zone():
    problem(api("POST", "/events", valid_event(time_zone="Mars/Olympus_Mons")), 422, "validation", "time_zone")


def by_day_xx_is_422_naming_it():
    rec = {"frequency": "weekly", "by_day": ["XX"]}
    problem(api("POST", "/events", valid_event(recurrence=rec)), 422, "validation", "recurrence.by_day[0]")


def recurrence_without_instances_is_422():
    # February 30th never comes.
    rec = {"frequency": "yearly", "by_month": [2], "by_month_day": [30]}
    r = api("POST", "/events", valid_event(recurrence=rec))
    problem(r, 422, "validation")
    check(r.json.get("field", "").startswith("recurrence"), f"field {r.json.get('field')!r}")


def nothing_is_written_by_a_refused_create():
    q = urllib.parse.urlencode({"start": "2026-05-04T00:00:00Z", "end": "2026-05-05T00:00:00Z"})
    eq(api("GET", f"/events?{q}", expect=200).json["events"], [], "events after the refused creates")


def unknown_fields_are_ignored():
    body = valid_event(title="Unknown fields", colour="red", frobnicate={"deep": [1, 2, {"x": None}]},
                       recurrence={"frequency": "daily", "count": 2, "every_other_blue_moon": True},
                       attendees=[{"email": "carol@example.com", "nickname": "C"}])
    b = api("POST", "/events", body, expect=201).json
    check("colour" not in b and "frobnicate" not in b, f"unknown members echoed: {sorted(b)}")
    eq(b["title"], "Unknown fields", "title")
    eq((b["is_recurring"], b["recurrence"]["count"]), (True, 2), "recurrence with an unknown member")
    eq([x["email"] for x in b["attendees"]], ["carol@example.com"], "attendee with an unknown member")
    api("DELETE", f"/events/{b['event_id']}", expect=204)


def attendee_address_error_names_its_path():
    body = valid_event(attendees=[{"email": "bob@example.com"}, {"email": 42}])
    problem(api("POST", "/events", body), 422, "validation", "attendees[1].email")


def availability_over_its_limits_is_422():
    users = [f"user{i}@example.com" for i in range(51)]
    problem(api("POST", "/availability/check", {"users": users, "start_time": "2024-01-15T00:00:00Z",
                                                "end_time": "2024-01-16T00:00:00Z"}), 422, "validation")
    problem(api("POST", "/availability/check", {"users": ["alice@example.com"], "start_time": "2024-01-01T00:00:00Z",
                                                "end_time": "2024-03-15T00:00:00Z"}), 422, "validation")


def rsvp_for_one_instance_changes_only_that_instance():
    eid = need("standup")["event_id"]
    r = api("POST", f"/events/{eid}/rsvp", {"response": "tentative", "instance_date": "2024-01-18T10:00:00-05:00"},
            user="carol", expect=200).json
    eq((r["attendee"], r["status"]), ("carol@example.com", "tentative"), "answer")
    one = api("GET", f"/events/{eid}_20240118T150000Z", expect=200).json
    eq(attendee(one, "carol@example.com")["status"], "tentative", "carol on the 18th")
    eq(attendee(api("GET", f"/events/{eid}", expect=200).json, "carol@example.com")["status"], "pending",
       "carol on the series")
    master, overrides = master_and_overrides(dav_object("alice", need("standup")["calendar_url"]))
    o = [x for x in overrides if instant(*x["RECURRENCE-ID"][0]) == secs("2024-01-18T15:00:00Z")]
    check(o, "no override for the 18th in alice's copy")
    atts = {v.lower(): p for p, v in o[0].get("ATTENDEE", [])}
    eq(atts.get("mailto:carol@example.com", {}).get("PARTSTAT"), "TENTATIVE", "carol's PARTSTAT in the override")


def another_users_event_is_404_to_bob():
    lunch = need("lunch")["event_id"]
    problem(api("GET", f"/events/{lunch}", user="bob"), 404, "not-found")
    problem(api("PATCH", f"/events/{lunch}", {"title": "mine"}, user="bob"), 404, "not-found")
    problem(api("DELETE", f"/events/{lunch}", user="bob"), 404, "not-found")
    eq(api("GET", f"/events/{lunch}", expect=200).json["title"], "API lunch", "alice's event unchanged")


def rsvp_to_an_event_one_is_not_invited_to_is_403():
    b = api("POST", "/events", valid_event(title="Bob alone"), user="bob", expect=201).json
    problem(api("POST", f"/events/{b['event_id']}/rsvp", {"response": "accepted"}, user="bob"), 403, "forbidden")


def unknown_id_is_404():
    problem(api("GET", "/events/no-such-event"), 404, "not-found")
    problem(api("PATCH", "/events/no-such-event", {"title": "x"}), 404, "not-found")


def method_not_allowed_is_405_with_allow():
    r = api("PUT", "/events", valid_event())
    problem(r, 405, "method-not-allowed")
    check("POST" in r.header("Allow") and "GET" in r.header("Allow"), f"Allow: {r.header('Allow')!r}")


def stale_if_match_is_412():
    eid = need("lunch")["event_id"]
    g = api("GET", f"/events/{eid}", expect=200)
    old = g.header("ETag")
    eq(old.strip('"'), g.json["etag"].strip('"'), "ETag header and etag member")
    p = api("PATCH", f"/events/{eid}", {"description": "with soup"}, headers={"If-Match": old}, expect=200)
    check(p.json["etag"] and p.json["etag"].strip('"') != old.strip('"'), f"etag did not change: {p.json['etag']!r}")
    problem(api("PATCH", f"/events/{eid}", {"description": "stale"}, headers={"If-Match": old}), 412,
            "precondition-failed")
    problem(api("DELETE", f"/events/{eid}", headers={"If-Match": old}), 412, "precondition-failed")
    eq(api("GET", f"/events/{eid}", expect=200).json["description"], "with soup", "description kept")


def idempotency_key_retry_gives_the_same_201_and_one_event():
    body = valid_event(title="Once only", start_time="2026-06-01T09:00:00Z", end_time="2026-06-01T09:30:00Z")
    key = {"Idempotency-Key": "e2e-7d3f0c1a"}
    first = api("POST", "/events", body, headers=key, expect=201)
    again = api("POST", "/events", body, headers=key, expect=201)
    eq(again.json, first.json, "the retried answer")
    eq(again.header("Location"), first.header("Location"), "Location")
    q = urllib.parse.urlencode({"start": "2026-06-01T00:00:00Z", "end": "2026-06-02T00:00:00Z"})
    eq(len(api("GET", f"/events?{q}", expect=200).json["events"]), 1, "events after the retry")
    other = api("POST", "/events", dict(body, title="Something else"), headers=key)
    problem(other, 422, "idempotency-key-reused")
    state["idempotent"] = first.json


def idempotent_create_gets_a_name_based_uuid():
    # docs/api.md: with an Idempotency-Key the UID is a name-based UUID (version
    # 5 layout) derived from the caller and the key, so that two concurrent
    # requests with one key collide on one object instead of making two.
    eid = need("idempotent")["event_id"]
    check(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}", eid) is not None,
          f"event_id {eid!r} of a create with an Idempotency-Key is not a name-based UUID")


def future_monday(days_ahead=60):
    """A Monday at least `days_ahead` days from today: conflicts are checked
    from now on for series already running, so these cases stay in the future."""
    d = datetime.date.today() + datetime.timedelta(days=days_ahead)
    return d + datetime.timedelta(days=(7 - d.weekday()) % 7)


def day_range(day):
    return urllib.parse.urlencode({"start": f"{day}T00:00:00Z", "end": f"{day + datetime.timedelta(days=1)}T00:00:00Z"})


def reject_conflicts_is_409_listing_them():
    monday = future_monday()
    wednesday = monday + datetime.timedelta(days=2)
    review = api("POST", "/events", valid_event(
        title="Weekly review", start_time=f"{monday}T15:00:00Z", end_time=f"{monday}T15:30:00Z",
        attendees=[{"email": "bob@example.com"}],
        recurrence={"frequency": "weekly", "by_day": ["MO", "WE"], "count": 8}), expect=201).json
    state["review"] = review
    body = valid_event(title="Clash", start_time=f"{wednesday}T15:05:00Z", end_time=f"{wednesday}T15:10:00Z",
                       reject_conflicts=True)
    r = api("POST", "/events", body)
    problem(r, 409, "conflict")
    check("conflicts" in r.json, f"the 409 problem has no conflicts member: {r.json}")
    found = [(c["event_id"], c["start_time"], c["end_time"]) for c in r.json["conflicts"]]
    check((review["event_id"], f"{wednesday}T15:00:00Z", f"{wednesday}T15:30:00Z") in found,
          f"the review's Wednesday instance not among the conflicts {found}")
    eq([e["title"] for e in api("GET", f"/events?{day_range(wednesday)}", expect=200).json["events"]],
       ["Weekly review"], "nothing written by the refused create")


def conflicts_are_reported_on_create():
    review = need("review")
    wednesday = datetime.date.fromisoformat(review["start_time"][:10]) + datetime.timedelta(days=2)
    body = valid_event(title="Clash anyway", start_time=f"{wednesday}T15:05:00Z", end_time=f"{wednesday}T15:10:00Z",
                       attendees=[{"email": "bob@example.com"}])
    b = api("POST", "/events", body, expect=201).json
    mine = [c for c in b["conflicts"] if c["event_id"] == review["event_id"]]
    who = {c["who"]: c for c in mine}
    check("alice@example.com" in who and "bob@example.com" in who,
          f"the review as a conflict for alice and bob: {b['conflicts']}")
    eq((who["alice@example.com"]["start_time"], who["alice@example.com"]["end_time"]),
       (f"{wednesday}T15:00:00Z", f"{wednesday}T15:30:00Z"), "the conflict's times")
    eq(who["alice@example.com"].get("title"), "Weekly review", "title of the caller's own event")
    check("title" not in who["bob@example.com"], f"bob's busy time shows a title: {who['bob@example.com']}")
    eq([e["conflicts"] for e in api("GET", f"/events?{day_range(wednesday)}", expect=200).json["events"]],
       [True, True], "both overlapping instances flagged in the listing")


def past_event_overlapping_a_past_instance_is_a_conflict():
    eid = need("standup")["event_id"]
    body = valid_event(title="Clash in 2024", start_time="2024-01-23T15:05:00Z", end_time="2024-01-23T15:10:00Z",
                       reject_conflicts=True)
    r = api("POST", "/events", body)
    problem(r, 409, "conflict")
    check("conflicts" in r.json, f"the 409 problem has no conflicts member: {r.json}")
    ids = [c["event_id"] for c in r.json["conflicts"]]
    check(eid in ids, f"standup not among the conflicts {ids}")


def no_credentials_is_401_problem():
    r = api("GET", "/calendars", user=None)
    problem(r, 401, "unauthorized")
    www = r.header("WWW-Authenticate")
    check("Basic" in www and "Bearer" in www, f"WWW-Authenticate: {www!r}")
    problem(api("GET", "/calendars", user="alice:wrong-password"), 401, "unauthorized")


def bearer_token_authenticates():
    check(state["token"].startswith("kal_"), f"no token: {state['token']}")
    b = api("GET", "/calendars", user="Bearer " + state["token"], expect=200).json
    cals = {c["calendar_id"]: c for c in b["calendars"]}
    check("calendar" in cals, f"calendars {sorted(cals)}")
    eq(cals["calendar"]["url"], "/dav/calendars/alice/calendar/", "url")
    eq(cals["calendar"]["is_default"], True, "is_default")
    eq(cals["calendar"]["permission"], "owner", "permission")
    problem(api("GET", "/calendars", user="Bearer kal_not-a-real-token"), 401, "unauthorized")


def calendars_create_rename_delete():
    c = api("POST", "/calendars", {"calendar_id": "work", "name": "Work", "color": "#3366ff"}, expect=201).json
    eq((c["calendar_id"], c["name"], c["is_default"], c["url"]), ("work", "Work", False, "/dav/calendars/alice/work/"),
       "new calendar")
    eq(api("PATCH", "/calendars/work", {"name": "Office"}, expect=200).json["name"], "Office", "renamed")
    b = api("POST", "/events", valid_event(title="In work", calendar_id="work"), expect=201).json
    eq(b["calendar_url"], f"/dav/calendars/alice/work/{b['event_id']}.ics", "calendar_url in work")
    api("DELETE", "/calendars/work", expect=204)
    problem(api("GET", f"/events/{b['event_id']}"), 404, "not-found")
    problem(api("DELETE", "/calendars/calendar"), 409, "conflict")


def suggestions_are_at_most_five_ranked():
    r = api("POST", "/availability/suggest", {
        "users": ["alice@example.com", "bob@example.com"], "optional_users": ["carol@example.com"],
        "duration_minutes": 30, "start_time": "2024-01-15T14:00:00Z", "end_time": "2024-01-16T22:00:00Z",
        "time_zone": "UTC", "preferences": {"working_hours_only": True, "buffer_minutes": 0}}, expect=200).json
    s = r["suggestions"]
    check(1 <= len(s) <= 5, f"{len(s)} suggestions")
    for x in s:
        eq(secs(x["end"]) - secs(x["start"]), 1800, "duration")
        eq(x["required_free"], True, "required free (there is plenty of free time)")
        check(not (secs(x["start"]) < secs("2024-01-15T15:15:00Z") and secs(x["end"]) > secs("2024-01-15T15:00:00Z")),
              f"suggestion {x} overlaps the standup")


def openapi_document_is_served():
    r = api("GET", "/openapi.json", expect=200)
    check(r.json == DOC, "the served document is not docs/openapi.json (rebuild: it is embedded at build time)")

# ---------------------------------------------------------------- scopes


def delete_scopes_exdate_until_and_all():
    b = api("POST", "/events", valid_event(title="Delete me", start_time="2025-03-03T09:00:00Z",
                                           end_time="2025-03-03T09:30:00Z", time_zone="UTC",
                                           recurrence={"frequency": "daily", "count": 10}), expect=201).json
    eid, url = b["event_id"], b["calendar_url"]
    q = urllib.parse.urlencode({"start": "2025-03-01T00:00:00Z", "end": "2025-03-20T00:00:00Z"})

    def days():
        return [int(e["start_time"][8:10]) for e in api("GET", f"/events?{q}", expect=200).json["events"]
                if e["event_id"] == eid]
    eq(days(), list(range(3, 13)), "ten instances")
    api("DELETE", f"/events/{eid}?update_scope=this_instance&instance_date=2025-03-05T09:00:00Z", expect=204)
    master, _ = master_and_overrides(dav_object("alice", url))
    exdates = [instant(p, v) for p, vals in master.get("EXDATE", []) for v in vals.split(",")]
    eq(exdates, [secs("2025-03-05T09:00:00Z")], "EXDATE over CalDAV")
    eq(days(), [3, 4] + list(range(6, 13)), "instances after deleting one")
    api("DELETE", f"/events/{eid}?update_scope=all_future&instance_date=2025-03-08T09:00:00Z", expect=204)
    master, _ = master_and_overrides(dav_object("alice", url))
    rule = rrule(master)
    check("COUNT" not in rule, f"COUNT kept with UNTIL: {rule}")
    until = instant({}, rule.get("UNTIL", ""))
    check(secs("2025-03-07T09:00:00Z") <= until < secs("2025-03-08T09:00:00Z"), f"UNTIL {rule.get('UNTIL')}")
    eq(days(), [3, 4, 6, 7], "instances after deleting all future")
    api("DELETE", f"/events/{eid}?update_scope=all", expect=204)
    problem(api("GET", f"/events/{eid}"), 404, "not-found")
    eq(request("GET", url, check=False).status, 404, "CalDAV GET after deleting all")


def patch_all_future_starts_a_new_series():
    b = api("POST", "/events", valid_event(title="Split me", start_time="2025-04-07T09:00:00Z",
                                           end_time="2025-04-07T09:30:00Z",
                                           recurrence={"frequency": "daily", "until": "2025-04-11T09:00:00Z"}),
            expect=201).json
    eid = b["event_id"]
    p = api("PATCH", f"/events/{eid}", {"update_scope": "all_future", "instance_date": "2025-04-09T09:00:00Z",
                                        "title": "Split later"}, expect=200).json
    eq(p["event_id"], eid, "event_id")
    check(p["new_event_id"] and p["new_event_id"] != eid, f"new_event_id {p['new_event_id']!r}")
    eq(p["exception_id"], None, "exception_id")
    q = urllib.parse.urlencode({"start": "2025-04-07T00:00:00Z", "end": "2025-04-12T00:00:00Z"})
    got = [(e["event_id"], e["title"], e["start_time"][8:10])
           for e in api("GET", f"/events?{q}", expect=200).json["events"] if e["title"].startswith("Split")]
    eq(got, [(eid, "Split me", "07"), (eid, "Split me", "08"), (p["new_event_id"], "Split later", "09"),
             (p["new_event_id"], "Split later", "10"), (p["new_event_id"], "Split later", "11")], "two series")


def patch_all_changes_the_series():
    eid = need("standup")["event_id"]
    p = api("PATCH", f"/events/{eid}", {"location": "Conference Room B"}, expect=200).json
    eq((p["exception_id"], p["new_event_id"]), (None, None), "ids of an all-scope change")
    eq(api("GET", f"/events/{eid}", expect=200).json["location"], "Conference Room B", "location")

# ---------------------------------------------------------------- rate limit


def rate_limit_is_429_with_retry_after():
    conf = os.path.join(state["work"], "rate.conf")
    with open(conf, "w") as f:
        f.write("# a tiny rate for the test\n[api]\nrate-per-minute = 2\nrate-burst = 2\n")
    data = os.path.join(state["work"], "rate-data")
    run_cli(["user", "add", "alice", "--email", "alice@example.com", "--password-stdin"],
            stdin=PASSWORD["alice"] + "\n", data=data)
    proc, port = start_server(data, os.path.join(state["work"], "rate.log"), conf)
    try:
        statuses = []
        for _ in range(8):
            r = api("GET", "/calendars", port=port)
            statuses.append(r.status)
            if r.status == 429:
                problem(r, 429, "rate-limited")
                check(r.header("Retry-After").isdigit() and int(r.header("Retry-After")) >= 1,
                      f"Retry-After {r.header('Retry-After')!r}")
                break
        eq(statuses[0], 200, "first request")
        check(429 in statuses, f"no 429 in {statuses}")
    finally:
        stop_server(proc)

# ---------------------------------------------------------------- docs/api.md


def doc_examples_run_with_the_status_they_state():
    text = open(os.path.join(SOURCE, "docs", "api.md"), encoding="utf-8").read()
    blocks = re.findall(r"<!-- example: (\S+) status=(\d+) -->\s*```sh\n(.*?)```", text, re.S)
    check(len(blocks) >= 8, f"only {len(blocks)} runnable examples in docs/api.md")
    body_file = os.path.join(state["work"], "example-body")
    env = dict(os.environ, KALENDS=f"http://127.0.0.1:{state['port']}", AUTH=f"-u alice:{PASSWORD['alice']}",
               EVENT_ID=need("standup")["event_id"], BODY=body_file, TOKEN=state["token"],
               AUTH_BOB=f"-u bob:{PASSWORD['bob']}")
    failures = []
    for name, status, script in blocks:
        if os.path.exists(body_file):
            os.remove(body_file)
        wrapper = ('curl() { command curl -sS -o "$BODY" -w "%{http_code} %{content_type}\\n" "$@"; }\n' + script)
        p = subprocess.run(["bash", "-c", wrapper], env=env, capture_output=True, text=True, timeout=60)
        last = (p.stdout.strip().splitlines() or ["(none)"])[-1].split(" ", 1)
        body = open(body_file, "rb").read() if os.path.exists(body_file) else b""
        if p.returncode != 0 or last[0] != status:
            failures.append(f"{name}: expected {status}, got {last[0]} (exit {p.returncode}) {p.stderr.strip()[:200]}"
                            f" {body[:200]!r}")
            continue
        # The answer must match the document too: the method and path of the last curl.
        url = re.findall(r'"\$KALENDS(/api/v1/[^"?]*)', script)[-1]
        url = re.sub(r"\$\{?[A-Z_]+\}?", "x", url)
        method = (re.findall(r"-X (\w+)", script) or ["POST" if " -d " in script else "GET"])[-1]
        resp = Resp(int(last[0]), [("Content-Type", last[1] if len(last) > 1 else "")], body)
        try:
            validate(method, url, resp, headers=False)
        except AssertionError as e:
            failures.append(f"{name}: {e}")
    check(not failures, "; ".join(failures))

# ---------------------------------------------------------------- main

CASES = [
    spec_create_standup_answers_201_with_every_field,
    spec_availability_check_for_alice_and_bob,
    availability_reports_unknown_addresses_as_unknown_not_free,
    availability_checks_sent_at_once_answer_as_one_sent_alone,
    spec_single_instance_patch_writes_an_override,
    spec_rsvp_bob_accepts,
    bobs_answer_reaches_carols_copy_after_the_refresh_delay,
    spec_week_listing_in_new_york_expands_instances,
    listing_pages_with_a_cursor,
    listing_range_over_the_limit_is_422,
    listing_without_range_is_400,
    caldav_propfind_lists_the_standup,
    caldav_multiget_shows_rrule_override_partstat_alarm_organizer,
    caldav_bob_has_the_invitation,
    rsvp_for_one_instance_changes_only_that_instance,
    apple_calendar_put_appears_in_the_json_listing,
    api_created_event_is_found_by_a_caldav_report,
    malformed_json_is_400,
    top_level_array_is_400,
    nesting_1000_levels_deep_is_400,
    ten_megabyte_string_is_413,
    string_over_string_bytes_is_422_naming_it,
    wrong_type_title_is_422_naming_title,
    missing_title_is_422_naming_title,
    end_before_start_is_422_naming_end_time,
    unknown_time_zone_is_422_naming_time_zone,
    by_day_xx_is_422_naming_it,
    recurrence_without_instances_is_422,
    nothing_is_written_by_a_refused_create,
    unknown_fields_are_ignored,
    attendee_address_error_names_its_path,
    availability_over_its_limits_is_422,
    another_users_event_is_404_to_bob,
    rsvp_to_an_event_one_is_not_invited_to_is_403,
    unknown_id_is_404,
    method_not_allowed_is_405_with_allow,
    stale_if_match_is_412,
    idempotency_key_retry_gives_the_same_201_and_one_event,
    idempotent_create_gets_a_name_based_uuid,
    reject_conflicts_is_409_listing_them,
    conflicts_are_reported_on_create,
    past_event_overlapping_a_past_instance_is_a_conflict,
    no_credentials_is_401_problem,
    bearer_token_authenticates,
    calendars_create_rename_delete,
    suggestions_are_at_most_five_ranked,
    openapi_document_is_served,
    delete_scopes_exdate_until_and_all,
    patch_all_future_starts_a_new_series,
    patch_all_changes_the_series,
    doc_examples_run_with_the_status_they_state,
    rate_limit_is_429_with_retry_after,
]


def setup():
    state["work"] = tempfile.mkdtemp(prefix="kalends-api-e2e-")
    state["data"] = os.path.join(state["work"], "data")
    for user in ("alice", "bob", "carol"):
        run_cli(["user", "add", user, "--email", f"{user}@example.com", "--password-stdin"],
                stdin=PASSWORD[user] + "\n")
    run_cli(["resource", "add", "room-a", "--email", "room-a@example.com", "--type", "room"])
    try:
        out = run_cli(["token", "add", "alice", "--name", "e2e"])
        m = re.search(r"kal_[A-Za-z0-9_\-]+", out)
        state["token"] = m.group(0) if m else f"(no token in the output of token add: {out!r})"
    except RuntimeError as e:  # bearer_token_authenticates fails with this
        state["token"] = f"({e})"
    state["proc"], state["port"] = start_server(state["data"], os.path.join(state["work"], "server.log"))


def main():
    if not BIN or not os.access(BIN, os.X_OK):
        print("KALENDS_BIN must name the kalends executable", file=sys.stderr)
        return 2
    only = set(sys.argv[1:])
    passed = failed = 0
    try:
        setup()
    except Exception as e:  # noqa: BLE001 - reported, then every case counts as failed
        print(f"FAIL setup: {e}")
        print(f"\n  0 test cases out of {len(CASES)} passed\n  {len(CASES)} test cases out of {len(CASES)} failed")
        if "proc" in state:
            stop_server(state["proc"])
        return 1
    try:
        for case in CASES:
            if only and case.__name__ not in only:
                continue
            try:
                case()
                print(f"ok {case.__name__}", flush=True)
                passed += 1
            except Exception as e:  # noqa: BLE001 - one case's failure must not stop the others
                why = str(e) if isinstance(e, AssertionError) else traceback.format_exc(limit=2).strip()
                print(f"FAIL {case.__name__}: {why}", flush=True)
                failed += 1
    finally:
        stop_server(state["proc"])
        if os.environ.get("KEEP_WORK"):
            print(f"work files kept in {state['work']}")
        else:
            shutil.rmtree(state["work"], ignore_errors=True)
    total = passed + failed
    # The lines scripts/summarize-tests.py counts (as for Boost.Test executables).
    print(f"\n  {passed} test cases out of {total} passed")
    if failed:
        print(f"  {failed} test cases out of {total} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
