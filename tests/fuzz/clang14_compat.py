#!/usr/bin/python3
"""Copies a caldav/ source for the fuzz build under clang < 16, which cannot
capture a structured binding in a lambda (P1091/P1381; src/http/server.cpp works
around the same). Each known capture becomes an init-capture; a file without
them is copied unchanged, so this does nothing once caldav/ avoids them.
Usage: clang14_compat.py IN OUT"""
import sys

REWRITES = [
    ("[&](const auto& p) { return p.ns == ns && p.name == local; }",
     "[&, &ns = ns, &local = local](const auto& p) { return p.ns == ns && p.name == local; }"),
    ("[&](ObjectRecord& o) { c.found.try_emplace(",
     "[&, &c = c](ObjectRecord& o) { c.found.try_emplace("),
]

src, out = sys.argv[1], sys.argv[2]
text = open(src, encoding="utf-8").read()
for old, new in REWRITES:
    text = text.replace(old, new)
with open(out, "w", encoding="utf-8") as f:
    f.write('#line 1 "%s"\n' % src)
    f.write(text)
