#!/usr/bin/python3
"""python3-caldav (Debian 0.11) driving Kalends as a client library would (RFC 4791,
RFC 6578, RFC 5397 discovery): one named case per step, printed as NAME<TAB>PASS|FAIL.
Usage: /usr/bin/python3 cases.py URL USER PASSWORD (run by conformance/caldav/run)."""
import datetime
import sys
import traceback

import caldav
from caldav.lib import error

url, user, password = sys.argv[1:4]
state = {}


def event_ics(uid, summary, start):
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kalends conformance//EN",
        "BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20240101T000000Z",
        f"DTSTART:{start}", "DURATION:PT1H", f"SUMMARY:{summary}",
        "END:VEVENT", "END:VCALENDAR", ""])


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def discovery_principal():
    state["client"] = caldav.DAVClient(url=url, username=user, password=password)
    p = state["client"].principal()
    state["principal"] = p
    check(str(p.url).rstrip("/").endswith(f"/dav/principals/users/{user}"), f"principal URL {p.url}")


def discovery_calendar_home():
    home = state["principal"].calendar_home_set
    check(str(home.url).rstrip("/").endswith(f"/dav/calendars/{user}"), f"calendar home {home.url}")


def list_calendars_has_default():
    urls = [str(c.url).rstrip("/") for c in state["principal"].calendars()]
    check(any(u.endswith("/calendar") for u in urls), f"calendars: {urls}")


def make_calendar():
    cal = state["principal"].make_calendar(name="Conformance", cal_id="conformance")
    state["cal"] = cal
    names = {str(c.url).rstrip("/").rsplit("/", 1)[-1]: c for c in state["principal"].calendars()}
    check("conformance" in names, f"new calendar not listed: {sorted(names)}")
    check(names["conformance"].get_display_name() == "Conformance", "displayname not kept")


def save_event():
    ev = state["cal"].save_event(event_ics("conf-1", "First", "20240110T090000Z"))
    state["event_url"] = ev.url
    check(ev.url is not None, "no URL for the saved event")


def load_event():
    ev = state["cal"].event_by_url(state["event_url"])
    ev.load()
    check("UID:conf-1" in ev.data and "SUMMARY:First" in ev.data, f"loaded data: {ev.data!r}")


def find_event_by_uid():
    ev = state["cal"].event_by_uid("conf-1")
    check("SUMMARY:First" in ev.data, f"data: {ev.data!r}")


def modify_event():
    ev = state["cal"].event_by_url(state["event_url"])
    ev.load()
    ev.data = ev.data.replace("SUMMARY:First", "SUMMARY:Changed")
    ev.save()
    again = state["cal"].event_by_url(state["event_url"])
    again.load()
    check("SUMMARY:Changed" in again.data, f"data after save: {again.data!r}")


def date_search():
    cal = state["cal"]
    inside = cal.date_search(datetime.datetime(2024, 1, 10, 0, 0, tzinfo=datetime.timezone.utc),
                             datetime.datetime(2024, 1, 11, 0, 0, tzinfo=datetime.timezone.utc))
    check(len(inside) == 1, f"{len(inside)} events in range, expected 1")
    outside = cal.date_search(datetime.datetime(2024, 2, 1, tzinfo=datetime.timezone.utc),
                              datetime.datetime(2024, 2, 2, tzinfo=datetime.timezone.utc))
    check(len(outside) == 0, f"{len(outside)} events outside the range, expected 0")


def sync_initial():
    objs = state["cal"].objects_by_sync_token(load_objects=True)
    state["sync"] = objs
    check(objs.sync_token, "no sync token")
    check(len(list(objs)) == 1, f"{len(list(objs))} objects, expected 1")


def sync_sees_new_event():
    state["cal"].save_event(event_ics("conf-2", "Second", "20240112T090000Z"))
    updated, deleted = state["sync"].sync()
    check(len(updated) == 1 and "conf-2" in updated[0].data, f"updated: {[o.url for o in updated]}")
    check(not deleted, f"deleted: {[o.url for o in deleted]}")


def delete_event():
    ev = state["cal"].event_by_url(state["event_url"])
    ev.delete()
    try:
        state["cal"].event_by_url(state["event_url"]).load()
    except error.NotFoundError:
        return
    raise AssertionError("the deleted event still loads")


def sync_sees_deletion():
    updated, deleted = state["sync"].sync()
    check([str(o.url) for o in deleted] == [str(state["event_url"])], f"deleted: {[str(o.url) for o in deleted]}")
    check(not updated, f"updated: {[str(o.url) for o in updated]}")


def delete_calendar():
    state["cal"].delete()
    urls = [str(c.url).rstrip("/") for c in state["principal"].calendars()]
    check(not any(u.endswith("/conformance") for u in urls), f"still listed: {urls}")


cases = [discovery_principal, discovery_calendar_home, list_calendars_has_default, make_calendar,
         save_event, load_event, find_event_by_uid, modify_event, date_search, sync_initial,
         sync_sees_new_event, delete_event, sync_sees_deletion, delete_calendar]

for case in cases:
    try:
        case()
        outcome = "PASS"
    except Exception as e:  # every failure of one step is that case's result
        outcome = "FAIL"
        print(f"--- {case.__name__}: {type(e).__name__}: {e}", file=sys.stderr)
        traceback.print_exc(limit=3, file=sys.stderr)
    print(f"{case.__name__}\t{outcome}", flush=True)
