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


def search_calendar():
    cal = state["principal"].make_calendar(name="Search", cal_id="search")
    state["search"] = cal
    cal.save_event(event_ics("s-lunch", "Lunch with Ada", "20240301T120000Z"))
    cal.save_event(event_ics("s-review", "Quarterly review", "20240305T090000Z"))
    cal.save_event("\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kalends conformance//EN",
        "BEGIN:VEVENT", "UID:s-standup", "DTSTAMP:20240101T000000Z", "DTSTART:20240304T080000Z",
        "DURATION:PT15M", "RRULE:FREQ=DAILY;COUNT=5", "EXDATE:20240306T080000Z", "SUMMARY:Standup",
        "CATEGORIES:TEAM", "END:VEVENT", "END:VCALENDAR", ""]))
    for uid, extra in (("s-open", []), ("s-done", ["STATUS:COMPLETED", "COMPLETED:20240302T100000Z"]),
                       ("s-dropped", ["STATUS:CANCELLED"]), ("s-started", ["STATUS:IN-PROCESS"])):
        cal.save_todo("\r\n".join([
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kalends conformance//EN",
            "BEGIN:VTODO", f"UID:{uid}", "DTSTAMP:20240101T000000Z", "DUE:20240310T170000Z",
            f"SUMMARY:Task {uid}", *extra, "END:VTODO", "END:VCALENDAR", ""]))


def uids(objects):
    return sorted(line.split(":", 1)[1].strip() for o in objects for line in o.data.splitlines()
                  if line.startswith("UID:"))


def date_search_unexpanded():
    found = state["search"].search(event=True, start=datetime.datetime(2024, 3, 5, tzinfo=datetime.timezone.utc),
                                   end=datetime.datetime(2024, 3, 6, tzinfo=datetime.timezone.utc))
    # 5 March: the review, and the standup's instance at 08:00Z.
    check(uids(found) == ["s-review", "s-standup"], f"found {uids(found)}")
    cancelled = state["search"].search(event=True, start=datetime.datetime(2024, 3, 6, tzinfo=datetime.timezone.utc),
                                       end=datetime.datetime(2024, 3, 6, 12, tzinfo=datetime.timezone.utc))
    check(uids(cancelled) == [], f"6 March morning (standup EXDATE) found {uids(cancelled)}")


def expanded_recurring_search():
    found = state["search"].search(event=True, expand=True,
                                   start=datetime.datetime(2024, 3, 4, tzinfo=datetime.timezone.utc),
                                   end=datetime.datetime(2024, 3, 8, tzinfo=datetime.timezone.utc))
    standups = [o for o in found if "UID:s-standup" in o.data]
    # 4..7 March minus the EXDATE on the 6th: three instances, each its own object.
    check(len(standups) == 3, f"{len(standups)} standup instances, expected 3")
    check(all("RRULE" not in o.data and "RECURRENCE-ID" in o.data for o in standups), "instances not expanded")


def todo_search():
    pending = state["search"].todos()
    check(uids(pending) == ["s-open", "s-started"], f"pending to-dos {uids(pending)}")
    everything = state["search"].todos(include_completed=True)
    check(uids(everything) == ["s-done", "s-dropped", "s-open", "s-started"], f"all to-dos {uids(everything)}")
    due = state["search"].search(todo=True, include_completed=True,
                                 start=datetime.datetime(2024, 3, 10, 12, tzinfo=datetime.timezone.utc),
                                 end=datetime.datetime(2024, 3, 10, 18, tzinfo=datetime.timezone.utc))
    check(len(due) == 4, f"{len(due)} to-dos due in the range, expected 4")


def text_search():
    cal = state["search"]
    # python3-caldav 0.11 sends text-match with collation i;octet: case matters.
    check(uids(cal.search(event=True, summary="Lunch")) == ["s-lunch"], "summary 'Lunch' (i;octet)")
    check(uids(cal.search(event=True, summary="lunch")) == [], "i;octet is case-sensitive")
    check(uids(cal.search(event=True, summary="nothing like it")) == [], "summary that matches nothing")
    check(uids(cal.search(event=True, category="TEAM")) == ["s-standup"], "category TEAM")
    check(uids(cal.search(todo=True, include_completed=True, summary="s-d")) == ["s-done", "s-dropped"],
          "to-do summary substring")
    cal.delete()


def delete_calendar():
    state["cal"].delete()
    urls = [str(c.url).rstrip("/") for c in state["principal"].calendars()]
    check(not any(u.endswith("/conformance") for u in urls), f"still listed: {urls}")


cases = [discovery_principal, discovery_calendar_home, list_calendars_has_default, make_calendar,
         save_event, load_event, find_event_by_uid, modify_event, date_search, sync_initial,
         sync_sees_new_event, delete_event, sync_sees_deletion, search_calendar, date_search_unexpanded,
         expanded_recurring_search, todo_search, text_search, delete_calendar]

for case in cases:
    try:
        case()
        outcome = "PASS"
    except Exception as e:  # every failure of one step is that case's result
        outcome = "FAIL"
        print(f"--- {case.__name__}: {type(e).__name__}: {e}", file=sys.stderr)
        traceback.print_exc(limit=3, file=sys.stderr)
    print(f"{case.__name__}\t{outcome}", flush=True)
