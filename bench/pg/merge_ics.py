#!/usr/bin/python3
"""Joins one-event iCalendar files (kalends-bench --write-ics) into one
whole-calendar file for `kalends import` (bench/pg-scale): every VEVENT of
every file, each VTIMEZONE once.
    merge_ics.py DIR OUT.ics"""
import os
import sys


def blocks(text, name):
    """The BEGIN:name .. END:name blocks of `text`, outermost only."""
    out, at = [], 0
    begin, end = "BEGIN:" + name + "\r\n", "END:" + name + "\r\n"
    while (start := text.find(begin, at)) >= 0:
        stop = text.index(end, start) + len(end)
        out.append(text[start:stop])
        at = stop
    return out


def main():
    src, dest = sys.argv[1], sys.argv[2]
    zones, count = {}, 0
    with open(dest + ".part", "w", newline="") as out:
        out.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kalends//bench pg-scale//EN\r\n")
        events = []
        for name in sorted(os.listdir(src)):
            with open(os.path.join(src, name), newline="") as f:
                text = f.read()
            for z in blocks(text, "VTIMEZONE"):
                tzid = z.split("TZID:", 1)[1].split("\r\n", 1)[0]
                zones.setdefault(tzid, z)
            events.extend(blocks(text, "VEVENT"))
            count += 1
        out.writelines(zones.values())
        out.writelines(events)
        out.write("END:VCALENDAR\r\n")
    os.rename(dest + ".part", dest)
    print(f"{count} files, {len(zones)} time zones -> {dest}", file=sys.stderr)


main()
