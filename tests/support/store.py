"""Reads a statement store's statements.log (format: server/core/statement_log.h) for test checks."""
import os


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append({"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_statements(store_dir):
    """The set of statements recorded in `store_dir`/statements.log (torn last line ignored)."""
    path = os.path.join(store_dir, "statements.log")
    if not os.path.exists(path):
        return set()
    data = open(path, "rb").read().decode("utf-8", "replace")
    lines = data.split("\n")
    if not data.endswith("\n"):
        lines = lines[:-1]
    out = set()
    for line in lines:
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t", 2)
        if len(parts) == 3:
            out.add(unescape(parts[2]))
    return out


def trace_statements(trace_file):
    """Complete `precompile(...)` lines Julia wrote to a trace file."""
    data = open(trace_file, "rb").read().decode("utf-8", "replace")
    lines = data.split("\n")
    if not data.endswith("\n"):
        lines = lines[:-1]
    return {l.strip() for l in lines if l.startswith("precompile(")}
