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


def bounded_recursion(call):
    # When its PUT to the calendar fails, python3-caldav 0.11's _reply_to_invite_request
    # retries into the outbox and calls itself until RecursionError (thousands of
    # requests at the default limit). A lower limit makes that end in a second; a
    # PUT that succeeds needs far fewer frames.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        call()
    finally:
        sys.setrecursionlimit(limit)


def attendee_copy(uid):
    ev = state["att"].calendar(cal_id="calendar").event_by_uid(uid)
    ev.load()  # for the Schedule-Tag
    return ev


def accept_invite_updates_organizer():
    # The library's own call: answers the inbox item by a PUT of
    # calendars()[0]/UID.ics, falling back to the outbox.
    bounded_recursion(state["accept_item"].accept_invite)
    line = attendee_line(organizer_copy("sched-accept"), att_addr)
    check("PARTSTAT=ACCEPTED" in line.upper(), f"organizer's ATTENDEE line: {line}")


def accept_attendee_copy_updates_organizer():
    # The same answer through the lower-level API: PARTSTAT changed on the copy the
    # server put in the attendee's calendar, saved back to its own URL (RFC 6638 §3.2.2).
    ev = attendee_copy("sched-accept")
    ev.change_attendee_status(partstat="ACCEPTED")
    ev.save()
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
    try:
        bounded_recursion(items[0].decline_invite)
    finally:
        state["decline_item"] = items[0]
    line = attendee_line(organizer_copy("sched-decline"), att_addr)
    check("PARTSTAT=DECLINED" in line.upper(), f"organizer's ATTENDEE line: {line}")


def decline_attendee_copy_updates_organizer():
    ev = attendee_copy("sched-decline")
    ev.change_attendee_status(partstat="DECLINED")
    ev.save()
    line = attendee_line(organizer_copy("sched-decline"), att_addr)
    check("PARTSTAT=DECLINED" in line.upper(), f"organizer's ATTENDEE line: {line}")
    replies = [i for i in inbox_items(state["org"], "sched-decline") if method_of(i) == "REPLY"]
    check(len(replies) == 1, f"{len(replies)} REPLY items for the decline, expected 1")
    check("PARTSTAT=DECLINED" in attendee_line(replies[0].data, att_addr).upper(), f"reply: {replies[0].data!r}")


def freebusy_request_busy_no_titles():
    # freebusy_request() returns only what its multistatus parser finds, so keep the
    # raw schedule-response body (RFC 6638 §5) of the POST it makes.
    client = state["org_client"]
    raw = {}
    post = client.post

    def recording_post(*args, **kwargs):
        response = post(*args, **kwargs)
        raw["status"], raw["body"] = response.status, response.raw
        return response

    client.post = recording_post
    try:
        state["fb_result"] = state["org"].freebusy_request(
            datetime.datetime(2025, 3, 10, 0, 0, tzinfo=UTC), datetime.datetime(2025, 3, 12, 0, 0, tzinfo=UTC),
            [att_addr])
    finally:
        del client.post
    body = raw.get("body", "")
    body = unfolded(body.decode() if isinstance(body, bytes) else str(body))
    check(raw.get("status") == 200, f"POST to the outbox: {raw.get('status')}")
    check("schedule-response" in body and "BEGIN:VFREEBUSY" in body, f"no VFREEBUSY: {body[:800]}")
    check("2.0;" in body, f"request-status is not 2.0 (success): {body[:800]}")
    check("SUMMARY" not in body and "Planning" not in body and "Offsite" not in body,
          f"free/busy leaks titles: {body[:800]}")
    fb = [l for l in body.splitlines() if l.upper().startswith("FREEBUSY")]
    # The accepted 10 March 10:00Z hour is busy; the declined 11 March 14:00Z one is not.
    check(any("20250310T100000Z" in l for l in fb), f"no busy period for the accepted event: {fb}")
    state["fb_lines"] = fb


def freebusy_declined_is_free():
    # bob declined the 11 March 14:00Z meeting: that hour should not show as busy.
    fb = state["fb_lines"]
    check(not any("20250311T14" in l for l in fb), f"declined event shows as busy: {fb}")


def freebusy_request_returns_result():
    # What a caller of python3-caldav gets back from freebusy_request().
    result = state["fb_result"]
    check("VFREEBUSY" in repr(result), f"freebusy_request() returned {result!r}")


cases = [principals_have_mailboxes, invitation_reaches_inbox, accept_invite_updates_organizer,
         accept_attendee_copy_updates_organizer, organizer_inbox_has_reply, decline_invite_updates_organizer,
         decline_attendee_copy_updates_organizer, freebusy_request_busy_no_titles, freebusy_declined_is_free,
         freebusy_request_returns_result]

for case in cases:
    try:
        case()
        outcome = "PASS"
    except Exception as e:  # every failure of one step is that case's result
        outcome = "FAIL"
        print(f"--- sched_{case.__name__}: {type(e).__name__}: {e}", file=sys.stderr)
        traceback.print_exc(limit=4, file=sys.stderr)
    print(f"sched_{case.__name__}\t{outcome}", flush=True)
