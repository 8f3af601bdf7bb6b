#!/usr/bin/python3
"""`meson install --destdir` puts the binary, the manual pages, the systemd
unit and its sysusers.d file in place, and the unit passes
`systemd-analyze verify` (issue 29 §5).

Usage: install_test.py BUILD_DIR PREFIX BINDIR
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def installed(dest, pattern):
    found = sorted(p for p in dest.rglob(pattern) if p.is_file())
    if not found:
        fail(f"nothing matching {pattern} under the destdir")
    return found[0]


def verify(unit, dest, bindir):
    """systemd-analyze verify on the installed unit. The only change: its
    ExecStart binary is looked up under the destdir, where it was installed."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        fail("systemd-analyze is missing (Debian package systemd, .ci/packages)")
    text = unit.read_text()
    relocated = re.sub(r"^ExecStart=" + re.escape(bindir), "ExecStart=" + str(dest) + bindir, text, flags=re.M)
    if relocated == text:
        fail(f"ExecStart of {unit} does not start {bindir}/kalends")
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "kalends.service"
        copy.write_text(relocated)
        # --man=no: the pages are checked above, in the destdir, not by man(1).
        r = subprocess.run([tool, "verify", "--man=no", str(copy)], capture_output=True, text=True)
        out = (r.stdout + r.stderr).strip()
        # Without systemd as PID 1 the tool still loads and checks the unit;
        # only a tool that cannot run at all may skip, and says so.
        if r.returncode != 0 and ("Failed to initialize manager" in out or "Operation not permitted" in out):
            print("SKIP: systemd-analyze cannot run in this container: " + out)
            sys.exit(77)
        if r.returncode != 0 or out:
            fail("systemd-analyze verify complained:\n" + out)


def check_example(dest, exe, unit_text, prefix):
    """The commented sample config is installed, named by the unit (where to
    copy it from), and as shipped it loads: every setting left at its default."""
    example = installed(dest, "kalends/kalends.conf.example")
    installed_path = "/" + str(example.relative_to(dest))
    if installed_path not in unit_text:
        fail(f"the unit does not name the sample config {installed_path}")
    if not installed_path.startswith(prefix):
        fail(f"the sample config {installed_path} is outside the prefix {prefix}")
    text = example.read_text()
    if "@" + "exampledir@" in text:
        fail("the sample config still holds a placeholder")
    for key in ["quota-bytes", "listen", "certificate", "url", "token-file", "format"]:
        if not re.search(r"^#" + re.escape(key) + " = ", text, flags=re.M):
            fail(f"the sample config does not show {key}")
    with tempfile.TemporaryDirectory() as data:
        r = subprocess.run([str(exe), "user", "list", "--config", str(example), "--data", data],
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail("kalends does not load the sample config:\n" + r.stdout + r.stderr)


def main():
    build, prefix, bindir = sys.argv[1], sys.argv[2], sys.argv[3]
    binpath = bindir if bindir.startswith("/") else prefix + "/" + bindir
    with tempfile.TemporaryDirectory() as tmp:
        dest = pathlib.Path(tmp) / "root"
        r = subprocess.run(["meson", "install", "-C", build, "--no-rebuild", "--quiet", "--destdir", str(dest)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail("meson install failed:\n" + r.stdout + r.stderr)
        exe = dest / binpath.lstrip("/") / "kalends"
        if not os.access(exe, os.X_OK):
            fail(f"{exe} is not installed or not executable")
        installed(dest, "man8/kalends.8*")
        installed(dest, "man5/kalends.conf.5*")
        unit = installed(dest, "system/kalends.service")
        sysusers = installed(dest, "sysusers.d/kalends.conf")
        if not re.search(r"^u kalends ", sysusers.read_text(), flags=re.M):
            fail("the sysusers.d file does not declare the kalends user")
        text = unit.read_text()
        for line in ["Type=notify", "User=kalends", "StateDirectory=kalends", "ProtectSystem=strict",
                     "ProtectHome=yes", "NoNewPrivileges=yes", "PrivateTmp=yes", "CapabilityBoundingSet=",
                     "SystemCallFilter=@system-service"]:
            if not re.search("^" + re.escape(line) + "$", text, flags=re.M):
                fail(f"the unit lacks {line}")
        check_example(dest, exe, text, prefix)
        verify(unit, dest, binpath)
        print("ok: binary, manual pages, unit, sysusers.d file and sample config installed; the unit verifies")


main()
