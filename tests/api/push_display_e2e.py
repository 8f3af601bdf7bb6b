#!/usr/bin/python3
"""End-to-end tests of the per-calendar switch for pushing ordinary display
alarms (issue 26 §1) over real HTTP: `kalends serve` with the push service of
tests/push/push_e2e.py (it decrypts each message with the subscription's
keys), the server-wide [reminders] display-alarms left off.

- CalDAV: PROPPATCH of {https://kalends.invalid/ns/}push-display-alarms on a
  calendar queues its DISPLAY alarms at once (`kalends jobs`), PROPFIND reads
  the choice back, a value other than true/false is refused with 409 and
  changes nothing, and the alarm is pushed when it is due;
- JSON API: "push_display_alarms" on calendar create, update (true, false,
  null = the server's setting) and in every answer, each change re-queuing
  the calendar's reminders, the answers as docs/openapi.json documents them.

Environment: KALENDS_BIN, KALENDS_SOURCE. Prints `ok NAME` / `FAIL NAME:
why`, then the summary lines scripts/summarize-tests.py counts; exits 1 when
a case failed."""
import os
import shutil
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "push"))
import push_e2e as pe  # noqa: E402 - the server, push receiver, user agent and HTTP helpers

K = "https://kalends.invalid/ns/"
NS = {"d": "DAV:", "k": K}
state = pe.state


def utc(t):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def put_display_event(calendar, uid, title, due):
    """An event starting 10 minutes after `due` with an ordinary display
    alarm (no X-KALENDS-METHOD) firing at `due`."""
    start = due + 600
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kalends//push display e2e//EN\r\nBEGIN:VEVENT\r\n"
           f"UID:{uid}\r\nDTSTAMP:{utc(time.time())}\r\nDTSTART:{utc(start)}\r\nDTEND:{utc(start + 1800)}\r\n"
           f"SUMMARY:{title}\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT10M\r\nDESCRIPTION:Soon\r\n"
           "END:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    r = pe.request("PUT", f"/dav/calendars/alice/{calendar}/{uid}.ics", ics, headers={"Content-Type": "text/calendar"})
    pe.check(r.status in (201, 204), f"PUT {uid}: {r!r}")


def reminder_dues():
    """The due times (RFC 3339) of the queued reminder jobs, from `kalends jobs`."""
    out = pe.run_cli(["jobs", "--kind", "reminder", "--all"])
    return sorted(line.split("\t")[3] for line in out.splitlines() if line.count("\t") >= 4 and
                  line.split("\t")[1] == "reminder")


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def proppatch(calendar, inner, remove=False):
    op = "remove" if remove else "set"
    body = (f'<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:K="{K}">'
            f"<D:{op}><D:prop>{inner}</D:prop></D:{op}></D:propertyupdate>")
    r = pe.request("PROPPATCH", f"/dav/calendars/alice/{calendar}/", body,
                   headers={"Content-Type": "application/xml; charset=utf-8"})
    pe.eq(r.status, 207, f"PROPPATCH status ({r!r})")
    return " ".join(s.text for s in ET.fromstring(r.body).iterfind(".//d:propstat/d:status", NS))


def propfind_choice(calendar):
    """The property's text, or None when PROPFIND reports it missing (404)."""
    body = f'<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:K="{K}"><D:prop><K:push-display-alarms/></D:prop></D:propfind>'
    r = pe.request("PROPFIND", f"/dav/calendars/alice/{calendar}/", body,
                   headers={"Depth": "0", "Content-Type": "application/xml; charset=utf-8"})
    pe.eq(r.status, 207, "PROPFIND status")
    for ps in ET.fromstring(r.body).iterfind(".//d:propstat", NS):
        prop = ps.find("d:prop/k:push-display-alarms", NS)
        if prop is not None:
            return (prop.text or "").strip() if "200" in ps.findtext("d:status", "", NS) else None
    raise AssertionError(f"PROPFIND did not mention the property: {r.body!r}")


def calendar_api(method, path, body=None, expect=None):
    r = pe.api(method, path, body, expect=expect)
    if r.status in (200, 201):
        pe.documented(r, "Calendar")
    return r

# ---------------------------------------------------------------- cases


def a_display_alarm_is_pushed_once_its_calendar_asks_for_it_by_proppatch():
    due = int(time.time()) + 15  # room for the CLI and requests below under ASan and load
    put_display_event("calendar", "dav-display", "Design review", due)
    pe.eq(reminder_dues(), [], "reminders queued while the calendar says nothing (server setting off)")
    pe.eq(propfind_choice("calendar"), None, "PROPFIND before any choice")
    status = proppatch("calendar", "<K:push-display-alarms>true</K:push-display-alarms>")
    pe.check("200" in status, f"PROPPATCH true answered {status}")
    pe.eq(propfind_choice("calendar"), "true", "PROPFIND after PROPPATCH true")
    pe.check(time.time() < due, "the PROPPATCH came before the alarm's instant (the machine is too slow)")
    pe.eq(reminder_dues(), [rfc3339(due)], "reminders queued by the PROPPATCH itself")
    status = proppatch("calendar", "<K:push-display-alarms>maybe</K:push-display-alarms>")
    pe.check("409" in status, f"PROPPATCH 'maybe' answered {status}")
    pe.eq(propfind_choice("calendar"), "true", "PROPFIND after the refused PROPPATCH")
    msg = state["rx"].wait("alice-phone", timeout=40)[0]
    payload = pe.json.loads(state["agent"].decrypt(msg["body"]))
    pe.eq(payload["title"], "Design review", "title of the pushed display alarm")
    pe.check(msg["at"] >= due, f"pushed {msg['at'] - due:+.3f} s from its due second")
    time.sleep(1.5)
    pe.eq(len(state["rx"].received("alice-phone")), 1, "pushes of the one alarm")
    status = proppatch("calendar", "<K:push-display-alarms/>", remove=True)
    pe.check("200" in status, f"PROPPATCH remove answered {status}")
    pe.eq(propfind_choice("calendar"), None, "PROPFIND after the remove")


def the_json_api_sets_and_shows_a_calendars_choice_and_each_change_requeues_its_reminders():
    r = calendar_api("POST", "/calendars", {"calendar_id": "team", "name": "Team", "push_display_alarms": False},
                     expect=201)
    pe.eq(r.json["push_display_alarms"], False, "push_display_alarms of the created calendar")
    pe.eq(propfind_choice("team"), "false", "the API's choice as CalDAV reads it")
    due = int(time.time()) + 86400
    put_display_event("team", "api-display", "Offsite", due)
    pe.eq(reminder_dues(), [], "reminders while the calendar says false")
    r = calendar_api("PATCH", "/calendars/team", {"push_display_alarms": True}, expect=200)
    pe.eq(r.json["push_display_alarms"], True, "push_display_alarms after PATCH true")
    pe.eq(reminder_dues(), [rfc3339(due)], "reminders after PATCH true")
    listed = {c["calendar_id"]: c for c in pe.api("GET", "/calendars", expect=200).json["calendars"]}
    pe.eq(listed["team"]["push_display_alarms"], True, "push_display_alarms in the listing")
    pe.eq(listed["calendar"]["push_display_alarms"], None, "a calendar that says nothing (the server decides)")
    r = calendar_api("PATCH", "/calendars/team", {"push_display_alarms": None}, expect=200)
    pe.eq(r.json["push_display_alarms"], None, "push_display_alarms after PATCH null")
    pe.eq(propfind_choice("team"), None, "PROPFIND after PATCH null")
    pe.eq(reminder_dues(), [], "reminders after PATCH null (the server setting is off)")
    pe.problem(pe.api("PATCH", "/calendars/team", {"push_display_alarms": "yes"}), 422, "push_display_alarms")
    r = calendar_api("PATCH", "/calendars/team", {"name": "Team 2"}, expect=200)
    pe.eq(r.json["push_display_alarms"], None, "a PATCH without the member leaves the choice")


def nobody_but_the_owner_sets_a_calendars_choice_not_a_viewer_a_stranger_or_an_anonymous_client():
    body = (f'<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:K="{K}">'
            "<D:set><D:prop><K:push-display-alarms>true</K:push-display-alarms></D:prop></D:set></D:propertyupdate>")
    xml = {"Content-Type": "application/xml; charset=utf-8"}
    for who in ("carol", "bob"):  # carol may view alice's calendar; bob has no grant at all
        r = pe.request("PROPPATCH", "/dav/calendars/alice/calendar/", body, user=who, headers=xml)
        refused_in_propstat = r.status == 207 and "403 Forbidden" in r.body.decode() and "200 OK" not in r.body.decode()
        pe.check(r.status in (403, 404) or refused_in_propstat, f"PROPPATCH by {who} answered {r!r}")
        r = pe.api("PATCH", "/calendars/alice:calendar", {"push_display_alarms": True}, user=who)
        pe.check(r.status in (403, 404), f"PATCH /calendars/alice:calendar by {who} answered {r.status}")
    r = pe.request("PROPPATCH", "/dav/calendars/alice/calendar/", body, user=None, headers=xml)
    pe.eq(r.status, 401, "PROPPATCH without credentials")
    pe.eq(pe.request("PATCH", "/api/v1/calendars/calendar", {"push_display_alarms": True}, user=None).status, 401,
          "API PATCH without credentials")
    pe.eq(propfind_choice("calendar"), None, "alice's choice after the others' attempts")


CASES = [
    a_display_alarm_is_pushed_once_its_calendar_asks_for_it_by_proppatch,
    the_json_api_sets_and_shows_a_calendars_choice_and_each_change_requeues_its_reminders,
    nobody_but_the_owner_sets_a_calendars_choice_not_a_viewer_a_stranger_or_an_anonymous_client,
]

# ---------------------------------------------------------------- server


def setup():
    state["work"] = tempfile.mkdtemp(prefix="kalends-push-display-e2e-")
    state["data"] = os.path.join(state["work"], "data")
    pe.PASSWORD["carol"] = "carol-secret-3"
    for name in ("alice", "bob", "carol"):
        pe.run_cli(["user", "add", name, "--email", f"{name}@example.com", "--password-stdin"],
                   stdin=pe.PASSWORD[name] + "\n")
    config = os.path.join(state["work"], "kalends.conf")
    with open(config, "w") as f:
        f.write("[push]\nallow-http = true\nvapid-subject = mailto:ops@example.org\n")
    state["rx"] = pe.Receiver()
    state["proc"], state["port"] = pe.start_server(state["data"], os.path.join(state["work"], "server.log"), config)
    state["agent"] = pe.UserAgent()
    pe.subscribe("alice-phone", state["agent"])
    # alice's calendar exists once her home is first read; carol may view it.
    pe.api("GET", "/calendars", expect=200)
    pe.run_cli(["share", "alice/calendar", "carol", "--permission", "view"])


def teardown():
    if "proc" in state:
        pe.stop_server(state["proc"])
    if "rx" in state:
        state["rx"].server.shutdown()
    if os.environ.get("KEEP_WORK"):
        print(f"work files kept in {state['work']}")
    elif "work" in state:
        shutil.rmtree(state["work"], ignore_errors=True)


def main():
    return pe.run_cases(CASES, setup, teardown)


if __name__ == "__main__":
    sys.exit(main())
