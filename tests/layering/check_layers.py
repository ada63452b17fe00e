#!/usr/bin/env python3
"""Checks the dependency rule of docs/architecture.md ("Layers") on every #include in server/ and
protocol/: a file includes only its own layer and the layers below it, `protocol` is included by
`transport` and `lsp` only, `core` reaches `platform` from .cpp files only (its file primitives),
and `core` headers name no libuv, Asio or nlohmann types. Exit 0 when clean, 1 with one line per
offending include.

usage: check_layers.py <repo>
"""
import os
import re
import sys

# Direct dependencies as docs/architecture.md states them; a layer may include what these reach.
DIRECT = {
    "app": {"lsp"},
    "lsp": {"service", "transport", "protocol"},
    "transport": {"protocol"},
    "service": {"julia", "core", "platform"},
    "julia": {"core", "platform"},
    "core": {"platform"},  # .cpp files only: see CPP_ONLY
    "platform": set(),
    "protocol": set(),
}
PROTOCOL_USERS = {"transport", "lsp"}
CPP_ONLY = {("core", "platform")}
# Third-party headers a core header must not include (their types would leak into core's interface).
CORE_HEADER_FORBIDDEN = re.compile(r"^(uv\.h|uv/|boost/asio|nlohmann/)")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def reachable(layer):
    seen, todo = set(), [layer]
    while todo:
        for dep in DIRECT[todo.pop()]:
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def layer_of_file(rel):
    parts = rel.split("/")
    if parts[0] == "protocol":
        return "protocol"
    if parts[0] == "server" and len(parts) > 2 and parts[1] in DIRECT:
        return parts[1]
    return None


def layer_of_include(path):
    if path.startswith("sysimage/protocol/"):
        return "protocol"
    parts = path.split("/")
    if parts[0] == "server" and len(parts) > 2 and parts[1] in DIRECT:
        return parts[1]
    return None


def check(repo):
    problems = []
    for top in ("server", "protocol"):
        for root, _, files in os.walk(os.path.join(repo, top)):
            for name in sorted(files):
                if not name.endswith((".h", ".cpp")):
                    continue
                path = os.path.join(root, name)
                rel = os.path.relpath(path, repo)
                layer = layer_of_file(rel)
                if layer is None:
                    continue
                header = name.endswith(".h")
                allowed = reachable(layer) | {layer}
                if layer not in PROTOCOL_USERS:
                    allowed.discard("protocol")
                with open(path, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        included = m.group(2)
                        where = "%s:%d: " % (rel, number)
                        if layer == "core" and header and CORE_HEADER_FORBIDDEN.match(included):
                            problems.append(where + "core header includes <%s> (no uv/asio/nlohmann types in core headers)"
                                            % included)
                        target = layer_of_include(included)
                        if target is None or target == layer:
                            continue
                        if target not in allowed:
                            problems.append(where + "%s includes %s (%s), a layer it must not depend on" %
                                            (layer, included, target))
                        elif header and (layer, target) in CPP_ONLY:
                            problems.append(where + "%s header includes %s: %s may use %s in .cpp files only" %
                                            (layer, included, layer, target))
    return problems


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    problems = check(repo)
    for p in problems:
        print(p)
    if problems:
        print("%d include(s) break the dependency rule of docs/architecture.md" % len(problems))
        return 1
    print("every include follows the dependency rule of docs/architecture.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
