#!/usr/bin/python3
"""python3-caldav (Debian 0.11) scheduling API against Kalends (RFC 6638): mailbox
discovery, invitations in the attendee's inbox, accept/decline replies reaching the
organizer, and free/busy lookup through the outbox. One line per case, NAME<TAB>PASS|FAIL.
Usage: /usr/bin/python3 scheduling.py URL ORGANIZER PASSWORD ATTENDEE PASSWORD
(run by conformance/caldav/run; both users have the address NAME@example.com)."""
import datetime
import sys
import traceback

import caldav

url, org, org_pw, att, att_pw = sys.argv[1:6]
org_addr, att_addr = f"mailto:{org}@example.com", f"mailto:{att}@example.com"
state = {}
UTC = datetime.timezone.utc


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def invitation_ics(uid, summary, start):
    # No ORGANIZER/ATTENDEE yet: save_with_invites adds them from the principals.
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kalends conformance//EN",
        "BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20240101T000000Z",
        f"DTSTART:{start}", "DURATION:PT1H", f"SUMMARY:{summary}",
        "END:VEVENT", "END:VCALENDAR", ""])


def unfolded(data):
    return data.replace("\r\n ", "").replace("\n ", "")


def attendee_line(data, addr):
    lines = [l for l in unfolded(data).splitlines()
             if l.upper().startswith("ATTENDEE") and l.lower().endswith(addr.lower())]
    check(len(lines) == 1, f"{len(lines)} ATTENDEE lines for {addr} in {data!r}")
    return lines[0]


def inbox_items(principal, uid):
    # A fresh ScheduleInbox each time: get_items() caches and re-syncs otherwise.
    items = principal.schedule_inbox().get_items()
    return [i for i in items if f"UID:{uid}" in unfolded(i.data)]


def method_of(item):
    return item.icalendar_instance.get("method", None)


def organizer_copy(uid):
    ev = state["org_cal"].event_by_uid(uid)
    ev.load()
    return ev.data


def principals_have_mailboxes():
    state["org_client"] = caldav.DAVClient(url=url, username=org, password=org_pw)
    state["att_client"] = caldav.DAVClient(url=url, username=att, password=att_pw)
    state["org"] = state["org_client"].principal()
    state["att"] = state["att_client"].principal()
    for p, who, addr in ((state["org"], org, org_addr), (state["att"], att, att_addr)):
        inbox, outbox = p.schedule_inbox(), p.schedule_outbox()
        check(inbox.url is not None and outbox.url is not None, f"{who}: no inbox/outbox")
        check(str(inbox.url).rstrip("/") != str(outbox.url).rstrip("/"), f"{who}: inbox == outbox {inbox.url}")
        check(f"/dav/calendars/{who}/" in str(inbox.url), f"{who}: inbox {inbox.url} not in the calendar home")
        addrs = [a.lower() for a in p.calendar_user_address_set()]
        check(addr in addrs, f"{who}: calendar-user-address-set {addrs}, expected {addr}")
    check(state["org_client"].check_scheduling_support(), "DAV header lacks calendar-auto-schedule")
    state["org_cal"] = state["org"].calendar(cal_id="calendar")


def invitation_reaches_inbox():
    ev = state["org_cal"].save_with_invites(
        invitation_ics("sched-accept", "Planning", "20250310T100000Z"), [state["org"], state["att"]])
    state["accept_url"] = ev.url
    items = inbox_items(state["att"], "sched-accept")
    check(len(items) == 1, f"{len(items)} inbox items for the invitation, expected 1")
    check(method_of(items[0]) == "REQUEST", f"inbox item METHOD {method_of(items[0])}, expected REQUEST")
    check(items[0].is_invite_request(), "is_invite_request() is false")
    check("PARTSTAT=NEEDS-ACTION" in attendee_line(items[0].data, att_addr).upper(), "invitation PARTSTAT")
    # RFC 6638 §3.2.1: the attendee's copy in the default calendar as well.
    copy = state["att"].calendar(cal_id="calendar").event_by_uid("sched-accept")
    check("SUMMARY:Planning" in unfolded(copy.data), f"attendee copy: {copy.data!r}")
    state["accept_item"] = items[0]


def accept_invite_updates_organizer():
    state["accept_item"].accept_invite()
    line = attendee_line(organizer_copy("sched-accept"), att_addr)
    check("PARTSTAT=ACCEPTED" in line.upper(), f"organizer's ATTENDEE line: {line}")


def organizer_inbox_has_reply():
    replies = [i for i in inbox_items(state["org"], "sched-accept") if method_of(i) == "REPLY"]
    check(len(replies) == 1, f"{len(replies)} REPLY items in the organizer's inbox, expected 1")
    check("PARTSTAT=ACCEPTED" in attendee_line(replies[0].data, att_addr).upper(), f"reply: {replies[0].data!r}")


def decline_invite_updates_organizer():
    state["org_cal"].save_with_invites(
        invitation_ics("sched-decline", "Offsite", "20250311T140000Z"), [state["org"], state["att"]])
    items = inbox_items(state["att"], "sched-decline")
    check(len(items) == 1 and method_of(items[0]) == "REQUEST", f"{len(items)} inbox items for the second invitation")
    items[0].decline_invite()
    line = attendee_line(organizer_copy("sched-decline"), att_addr)
    check("PARTSTAT=DECLINED" in line.upper(), f"organizer's ATTENDEE line: {line}")
    replies = [i for i in inbox_items(state["org"], "sched-decline") if method_of(i) == "REPLY"]
    check(len(replies) == 1, f"{len(replies)} REPLY items for the decline, expected 1")


def freebusy_request_busy_no_titles():
    start = datetime.datetime(2025, 3, 10, 0, 0, tzinfo=UTC)
    end = datetime.datetime(2025, 3, 12, 0, 0, tzinfo=UTC)
    response = state["org"].freebusy_request(start, end, [att_addr])
    text = repr(response)
    state["fb"] = text
    check("BEGIN:VFREEBUSY" in text, f"no VFREEBUSY in the response: {text[:800]}")
    check("SUMMARY" not in text and "Planning" not in text and "Offsite" not in text,
          f"free/busy leaks titles: {text[:800]}")
    # The accepted 10 March 10:00Z hour is busy; the declined 11 March one is not.
    check("20250310T100000Z" in text, f"no busy period for the accepted event: {text[:800]}")
    check("20250311T140000Z" not in text, f"declined event shows as busy: {text[:800]}")


cases = [principals_have_mailboxes, invitation_reaches_inbox, accept_invite_updates_organizer,
         organizer_inbox_has_reply, decline_invite_updates_organizer, freebusy_request_busy_no_titles]

for case in cases:
    try:
        case()
        outcome = "PASS"
    except Exception as e:  # every failure of one step is that case's result
        outcome = "FAIL"
        print(f"--- sched_{case.__name__}: {type(e).__name__}: {e}", file=sys.stderr)
        traceback.print_exc(limit=4, file=sys.stderr)
    print(f"sched_{case.__name__}\t{outcome}", flush=True)
