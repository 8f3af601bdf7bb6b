#!/usr/bin/python3
"""Joins kalends-bench --csv outputs (Kalends first, then peers) into one markdown
table: per phase each server's ops/s, p50/p99 ms and errors, and Kalends' ops/s
ratio to each peer; then each server's stored event count and peak RSS (issue 7)."""
import os
import sys


def load(path):
    phases, info = {}, {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                words = line[1:].split()
                for k, v in zip(words[::2], words[1::2]):
                    info[k] = v
                continue
            name, ops, rate, p50, p99, errors, note = line.rsplit(",", 6)
            phases[name] = dict(ops=int(ops), rate=float(rate), p50=float(p50), p99=float(p99),
                                errors=int(errors), note=note)
    return phases, info


def cell(p):
    if p is None:
        return "not run"
    if p["note"] == "unsupported":
        return "unsupported"
    # A peer's slowest phases run below one operation a second.
    rate = "%.1f" % p["rate"] if p["rate"] >= 1 else "%.2g" % p["rate"]
    text = "%s/s, %.1f / %.1f ms" % (rate, p["p50"], p["p99"])
    if p["errors"]:
        text += ", **%d wrong of %d**" % (p["errors"], p["ops"])
    if p["note"] == "time cap":
        text += " (time cap, %d ops)" % p["ops"]
    return text


def main(paths):
    names = [os.path.basename(p).rsplit(".", 1)[0].capitalize() for p in paths]
    runs = [load(p) for p in paths]
    head = ["phase"] + ["%s ops/s, p50 / p99" % n for n in names] + ["Kalends ÷ %s" % n for n in names[1:]]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for phase in runs[0][0]:
        row = [phase] + [cell(r[0].get(phase)) for r in runs]
        k = runs[0][0][phase]
        for peer in runs[1:]:
            p = peer[0].get(phase)
            usable = p and k["note"] != "unsupported" and p["note"] != "unsupported" and p["rate"] > 0
            wrong = usable and (k["errors"] or p["errors"])
            row.append(("%.0f×" % (k["rate"] / p["rate"]) + (" †" if wrong else "")) if usable else "–")
        print("| " + " | ".join(row) + " |")
    row = ["events stored"] + [r[1].get("stored", "?") for r in runs] + [""] * (len(runs) - 1)
    print("| " + " | ".join(row) + " |")
    rss = [float(r[1].get("rss", "0")) for r in runs]
    row = ["peak RSS"] + ["%.1f MB" % x for x in rss] + ["%.2f×" % (rss[0] / x) if x else "–" for x in rss[1:]]
    print("| " + " | ".join(row) + " |")
    print("\n† at least one side gave wrong answers in this phase: the ratio compares speed, not results.")


if __name__ == "__main__":
    main(sys.argv[1:])
