#!/usr/bin/python3
"""Writes the seed corpus of fuzz_service (tests/fuzz/corpus/service/) from the
requests in tests/golden/**/*.txt, plus seeds for known findings (issue 22).

Each seed is the structured input fuzz_service.cpp reads: 4 bytes (method,
target, flags, aux) and the body; a target outside its table is sent raw as the
body's first line. Run from anywhere: tests/fuzz/make_service_corpus.py
(rewrites the directory; names are the golden file and exchange number)."""
import hashlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus", "service")

# Keep in step with fuzz_service.cpp.
METHODS = ["PROPFIND", "REPORT", "PUT", "PROPPATCH", "MKCALENDAR", "MKCOL", "POST", "COPY", "MOVE",
           "DELETE", "GET", "HEAD", "OPTIONS"]
TARGETS = [
    "/dav/", "/dav/principals/", "/dav/principals/users/alice/", "/dav/principals/users/bob/",
    "/dav/calendars/alice/", "/dav/calendars/alice/calendar/", "/dav/calendars/alice/work/",
    "/dav/calendars/alice/calendar/e1.ics", "/dav/calendars/alice/work/n{k}.ics",
    "/dav/calendars/alice/inbox/", "/dav/calendars/alice/outbox/", "/dav/calendars/bob/calendar/",
    "/dav/calendars/bob/calendar/b1.ics", "/dav/calendars/alice/c{k}/", "/dav/calendars/bob/",
]
RAW = 15
DEPTHS = {None: 0, "0": 1, "1": 2, "infinity": 3}
MAX_FILES = 280
MAX_BYTES = 2 * 1024 * 1024


def target_index(target):
    """(index, k) for a target in the table, else (RAW, 0)."""
    for i, t in enumerate(TARGETS):
        if "{k}" in t:
            for k in range(8):
                if t.replace("{k}", str(k)) == target:
                    return i, k
        elif t == target:
            return i, 0
    return RAW, 0


def seed(method, target, body, depth=None, bob=False, if_none_match=False, destination=None):
    """One structured input (bytes)."""
    index, k = target_index(target)
    flags = DEPTHS.get(depth, 0) | (4 if bob else 0) | (8 if if_none_match else 0)
    aux = k
    if destination is not None:
        d, _ = target_index(destination)
        aux |= (d & 15) << 3
    head = bytes([METHODS.index(method), index, flags, aux])
    if index == RAW:
        body = target.encode() + b"\n" + body
    return head + body


def requests(path):
    """(method, target, headers, body) of every request in a golden file."""
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    text = "\n".join(lines)
    for part in re.split(r"^====$", text, flags=re.M):
        req = re.split(r"^----$", part, maxsplit=1, flags=re.M)[0].strip("\n")
        if not req:
            continue
        head, _, body = req.partition("\n\n")
        head_lines = head.split("\n")
        words = head_lines[0].split(" ")
        if len(words) < 2:
            continue
        headers = {}
        for h in head_lines[1:]:
            name, _, value = h.partition(":")
            headers[name.strip().lower()] = value.strip()
        yield words[0], words[1], headers, body


def known_findings():
    """Seeds for issue 22's items (name, bytes)."""
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//EN\r\nBEGIN:VEVENT\r\nUID:xfoo1\r\n"
           "DTSTAMP:20240101T000000Z\r\nDTSTART:20270401T090000Z\r\nDTEND:20270401T100000Z\r\nSUMMARY:x\r\n"
           "ORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
           "ATTENDEE;PARTSTAT=X-FOO:mailto:bob@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    yield "issue22-item2-partstat-x-foo", seed("PUT", "/dav/calendars/alice/work/n0.ics", ics.encode())
    n = 12000
    decls = "".join(' xmlns:p%d="urn:x:%d"' % (i, i) for i in range(n))
    children = "".join("<p%d:a/>" % i for i in range(n))
    body = '<D:propfind xmlns:D="DAV:"%s><D:prop>%s</D:prop></D:propfind>' % (decls, children)
    yield "issue22-item3-xmlns-quadratic", seed("PROPFIND", "/dav/calendars/alice/calendar/", body.encode(), depth="0")
    ctl = ics.replace("SUMMARY:x", "SUMMARY:lunch\x01\x0b").replace("ATTENDEE;PARTSTAT=X-FOO", "ATTENDEE")
    yield "issue22-item4-summary-control", seed("PUT", "/dav/calendars/alice/work/n1.ics", ctl.encode())
    pp = ('<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>a&#1;b&#xFFFE;</D:displayname>'
          '</D:prop></D:set></D:propertyupdate>')
    yield "issue22-item4-displayname-charref", seed("PROPPATCH", "/dav/calendars/alice/calendar/", pp.encode())
    fb = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n"
          "UID:fb1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20270101T000000Z\r\nDTEND:20270301T000000Z\r\n"
          "ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:bob@example.com\r\nEND:VFREEBUSY\r\n"
          "END:VCALENDAR\r\n")
    yield "outbox-freebusy", seed("POST", "/dav/calendars/alice/outbox/", fb.encode())


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    seeds = {}
    for name, data in known_findings():
        seeds[name] = data
    seen = {hashlib.sha1(d).digest() for d in seeds.values()}
    golden = os.path.join(ROOT, "tests", "golden")
    for dirpath, _, files in sorted(os.walk(golden)):
        for f in sorted(files):
            if not f.endswith(".txt"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), golden)[:-4].replace(os.sep, "-")
            for i, (method, target, headers, body) in enumerate(requests(os.path.join(dirpath, f))):
                if method not in METHODS:
                    continue
                if not body and method not in ("COPY", "MOVE", "DELETE", "MKCALENDAR"):
                    continue  # nothing for the body fuzzer beyond what the table reaches
                data = seed(method, target, body.encode(), depth=headers.get("depth"),
                            bob="{bob}" in headers.get("authorization", ""),
                            if_none_match="if-none-match" in headers or headers.get("overwrite") == "F",
                            destination=re.sub(r"^https?://[^/]*", "", headers["destination"])
                            if "destination" in headers else None)
                h = hashlib.sha1(data).digest()
                if h in seen:
                    continue
                seen.add(h)
                seeds["%s-%d" % (rel, i)] = data
    total = 0
    count = 0
    for name, data in seeds.items():
        if count >= MAX_FILES or total + len(data) > MAX_BYTES:
            print("corpus full; left out %s and later" % name, file=sys.stderr)
            break
        with open(os.path.join(OUT, name + ".bin"), "wb") as out:
            out.write(data)
        total += len(data)
        count += 1
    print("%d seeds, %d bytes in %s" % (count, total, OUT))


main()
