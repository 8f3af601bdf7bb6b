#!/usr/bin/env python3
"""Counts test cases from meson's testlog.json files: Boost.Test executables
report their cases (BOOST_TEST_REPORT_LEVEL=short); any other test counts as
one. A crash with no report counts as one failure. Prints 'N passed, M failed'."""
import json
import re
import sys

passed = failed = 0
case_re = re.compile(r"^\s*(\d+) test cases? out of \d+ (passed|failed|skipped|aborted)", re.M)
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except FileNotFoundError:
        failed += 1
        print(f"summarize: {path} missing (build or setup failed)", file=sys.stderr)
        continue
    for line in lines:
        if not line.strip():
            continue
        t = json.loads(line)
        ok = t.get("result") in ("OK", "EXPECTEDFAIL")
        out = (t.get("stdout") or "") + (t.get("stderr") or "")
        counts = {"passed": 0, "failed": 0, "aborted": 0, "skipped": 0}
        found = False
        for n, kind in case_re.findall(out):
            counts[kind] += int(n)
            found = True
        if found:
            passed += counts["passed"]
            bad = counts["failed"] + counts["aborted"]
            failed += bad if bad or ok else 1
        elif t.get("result") != "SKIP":
            passed += 1 if ok else 0
            failed += 0 if ok else 1
        if not ok:
            print(f"FAILED: {t.get('name')} ({t.get('result')})", file=sys.stderr)
print(f"{passed} passed, {failed} failed")
