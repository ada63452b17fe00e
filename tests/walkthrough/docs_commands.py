"""The command lines README.md and docs/protocol.md show, as a newcomer would copy them.

A command line is a line of a ```sh block in README.md's "Using the server" section or in
docs/protocol.md's "Command line" section, and any line of any ```sh block of those two files that
starts with `sysimage-server` or `build/bin/sysimage-server`. Trailing `# comments` are dropped and
runs of blanks become one, so the text is the key a check is registered under.
"""
import os
import re

DOCS = {
    "README.md": "## Using the server",
    os.path.join("docs", "protocol.md"): "## Command line",
}


def _sh_blocks(text):
    """(start offset, lines) of every ```sh block."""
    for m in re.finditer(r"^```sh\n(.*?)^```", text, re.S | re.M):
        yield m.start(), m.group(1).splitlines()


def normalize(line):
    line = re.sub(r"\s{2,}#.*$", "", line)  # a trailing comment (two or more blanks, then #)
    return " ".join(line.split())


def command_lines(repo):
    """{normalized command line: "file:line"} of the documented command lines."""
    found = {}
    for rel, heading in DOCS.items():
        text = open(os.path.join(repo, rel), encoding="utf-8").read()
        start = text.find("\n" + heading + "\n")
        if start < 0:
            raise AssertionError("%s has no section %r" % (rel, heading))
        nxt = text.find("\n## ", start + 1)
        end = nxt if nxt >= 0 else len(text)
        in_section = 0
        for offset, lines in _sh_blocks(text):
            inside = start < offset < end
            in_section += inside
            first_line = text.count("\n", 0, offset) + 2
            for i, raw in enumerate(lines):
                line = normalize(raw)
                if not line or line.startswith("#"):
                    continue
                if inside or re.match(r"(build/bin/)?sysimage-server(\s|$)", line):
                    found[line] = "%s:%d" % (rel, first_line + i)
        if not in_section:
            raise AssertionError("%s: no ```sh block in section %r" % (rel, heading))
    return found
