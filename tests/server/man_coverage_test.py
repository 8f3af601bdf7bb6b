#!/usr/bin/python3
"""The manual pages cover every command and setting (issue 29): each command
and option `kalends help` prints is in kalends(8); each key the config file
takes (src/config/config.cpp) is in its section of kalends.conf(5) and, as a
commented line, in the sample config dist/kalends.conf.example.in.

Usage: man_coverage_test.py SOURCE_DIR KALENDS_BIN
"""
import re
import subprocess
import sys


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def roff_text(path):
    """The page's text with roff's escaped hyphens and font switches undone."""
    text = open(path, encoding="utf-8").read()
    text = text.replace("\\-", "-")
    return re.sub(r"\\f[BIRP]", "", text)


def sections(text, heading):
    """{name: body} of the `heading` sections (.SH [name]) of a roff page or
    the [name] sections of an INI file."""
    out = {}
    for m in re.finditer(heading, text, flags=re.M):
        end = re.compile(heading, flags=re.M).search(text, m.end())
        out[m.group(1)] = text[m.end():end.start() if end else len(text)]
    return out


def main():
    source, binary = sys.argv[1], sys.argv[2]
    problems = []
    help_text = subprocess.run([binary, "help"], capture_output=True, text=True, check=True).stdout
    man8 = roff_text(f"{source}/man/kalends.8")
    commands = re.findall(r"^  ([a-z]+(?: (?:add|passwd|list|limits|del|revoke|deliver|queue|validate|expand))?)\b",
                          help_text, flags=re.M)
    if len(commands) < 20:
        fail(f"read only {len(commands)} commands from `kalends help`:\n{help_text}")
    for command in commands:
        if not re.search(r"^\.B[IR]? \"?" + re.escape(command) + r"\b", man8, flags=re.M) and \
                f"kalends {command}" not in man8:
            problems.append(f"kalends(8) does not describe `{command}`")
    for option in sorted(set(re.findall(r"--[a-z][a-z-]+", help_text))):
        if option not in man8:
            problems.append(f"kalends(8) does not mention {option}")

    config_cpp = open(f"{source}/src/config/config.cpp", encoding="utf-8").read()
    keys = re.findall(r'\("([a-z]+)\.([a-z-]+)", po::value', config_cpp)
    if len(keys) < 80:
        fail(f"read only {len(keys)} keys from config.cpp")
    man5 = sections(roff_text(f"{source}/man/kalends.conf.5"), r"^\.SH \[([a-z]+)\]$")
    example = sections(open(f"{source}/dist/kalends.conf.example.in", encoding="utf-8").read(), r"^\[([a-z]+)\]$")
    for section, key in keys:
        if not re.search(r"^\.B[IR]? .*(?<![a-z-])" + re.escape(key) + r"(?![a-z-])", man5.get(section, ""), flags=re.M):
            problems.append(f"kalends.conf(5) [{section}] does not describe {key}")
        if not re.search(r"^#" + re.escape(key) + " =", example.get(section, ""), flags=re.M):
            problems.append(f"the sample config's [{section}] does not show {key}")
    if problems:
        fail("\n  ".join([""] + problems))
    print(f"ok: {len(commands)} commands, {len(keys)} config keys documented")


main()
