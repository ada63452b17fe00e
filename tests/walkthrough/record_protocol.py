#!/usr/bin/env python3
"""Records what the real server says -- replies, notifications, its requests -- for the protocol's
custom methods, into tests/fixtures/protocol/<name>.json, and fails when the server's messages no
longer have the shapes of those committed files. Both clients' unit tests load exactly these files
(vscode-extension/test/unit/fixtures.ts, neovim/tests/unit.lua), so a change of the server's
payloads reaches them.

It starts from the walkthrough's directory (test_walkthrough.py: examples/fl-insurance with an
up-to-date image and a TTFX measurement), so it needs no build of its own: `sysimage/build` answers
from that image, a forced build is cancelled early, and a failing build fails before Julia starts.

Machine-specific values are normalised (paths, UTC stamps, pids; timings rounded); shapes compare
keys and JSON types, recursively. SYSIMAGE_UPDATE_FIXTURES=1 writes the files instead of comparing.

usage: record_protocol.py <sysimage-server> <repo> <walkthrough workdir>
"""
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from rpc import Server  # noqa: E402
from testutil import julia_path  # noqa: E402

# The one Julia 1.5 stdlib without dependencies: added to the project to make the image outdated.
UNICODE = ("Unicode", "4ec0a83e-493e-50e2-b9ac-8f72acf5a8f5")


class Recorder:
    def __init__(self, server, repo, root):
        self.root = root
        self.project = os.path.join(root, "examples", "fl-insurance")
        self.state = os.path.join(root, "state")
        julia = julia_path(repo)
        self.env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=self.state,
                        PATH=os.pathsep.join([os.path.dirname(julia), os.environ.get("PATH", "")]))
        for name in ("JULIA", "JULIA_PROJECT", "JULIA_LOAD_PATH"):
            self.env.pop(name, None)
        replacements = {
            julia: "/opt/julia-1.5.3/bin/julia",
            os.path.realpath(julia): "/opt/julia-1.5.3/bin/julia",
            self.state: "/home/user/.julia/sysimage-server",
            self.project: "/home/user/fl-insurance",
            os.path.join(root, "NewProject"): "/home/user/NewProject",
            os.path.realpath(repo): "/src/sysimage-server",
            repo: "/src/sysimage-server",
            root: "/home/user",
        }
        runtime = os.path.dirname(os.path.dirname(julia))
        if runtime.endswith(".julia-runtime"):  # the project-local Julia (scripts/install-julia)
            replacements[os.path.realpath(runtime)] = "/opt/julia-1.5.3"
            replacements[runtime] = "/opt/julia-1.5.3"
        # Longest first: the state and the project live under the root, the root under the repository.
        self.replacements = sorted(replacements.items(), key=lambda kv: -len(kv[0]))
        self.srv = Server(server, env=self.env, cwd=root, log_path=os.path.join(root, "record_protocol.log"))
        self.inbox = []  # messages not taken yet
        self.recorded = {}

    # -- the session --------------------------------------------------------------------------

    def pump(self, timeout):
        m = self.srv.channel.read_message(timeout)
        if m is not None:
            self.inbox.append(m)
        return m

    def take(self, predicate, timeout, what):
        """The first message (kept or new) satisfying `predicate`; removes it from the inbox."""
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self.inbox):
                if predicate(m):
                    return self.inbox.pop(i)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (self.pump(remaining) is None and self.srv.channel.eof):
                raise AssertionError("timed out waiting for " + what)

    def send_request(self, method, params):
        rid = self.srv.next_id
        self.srv.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.srv.send(msg)
        return rid

    def response(self, rid, timeout=120):
        return self.take(lambda m: m.get("id") == rid and "method" not in m, timeout, "the answer to %s" % rid)

    def request(self, name, method, params=None, timeout=120, expect="result"):
        rid = self.send_request(method, params)
        reply = self.response(rid, timeout)
        assert expect in reply, "%s: expected a %s, got %r" % (method, expect, reply)
        self.keep(name, "%s → %s" % (method, expect), {"method": method, "params": params}, reply)
        return reply

    def status_changed(self, predicate, timeout, what):
        return self.take(lambda m: m.get("method") == "sysimage/statusChanged" and predicate(m["params"]),
                         timeout, what)

    def keep(self, name, description, request, message):
        self.recorded[name] = {"description": description, "request": request, "message": message}

    # -- normalising --------------------------------------------------------------------------

    def normalize(self, value, key=None):
        if isinstance(value, dict):
            return {k: self.normalize(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.normalize(v) for v in value]
        if isinstance(value, float):
            return round(value, 3)
        if isinstance(value, int) and not isinstance(value, bool) and key in ("pid", "processId"):
            return 4242
        if isinstance(value, int) and not isinstance(value, bool) and key == "ageSeconds":
            return 360
        if isinstance(value, str):
            for real, placeholder in self.replacements:
                value = value.replace(real, placeholder)
            value = re.sub(r"\d{8}T\d{6}Z?-\d+-(\d+)", r"20260101T120000Z-4242-\1", value)  # build ids, traces
            value = re.sub(r"\d{8}T\d{6}Z", "20260101T120000Z", value)
            value = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "2026-01-01T12:00:00Z", value)
            if key == "log":  # a whole build log: its first lines show the shape
                lines = value.splitlines()
                value = "\n".join(lines[:8] + (["…"] if len(lines) > 8 else []))
        return value


def shape(value):
    """Keys and JSON types, recursively; a list's shape is the set of its elements' shapes."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return ["list"] + sorted({json.dumps(shape(v), sort_keys=True) for v in value})
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return "string"


def differences(a, b, path=""):
    """Where shapes a (committed) and b (now) differ, as readable lines."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in b:
                out.append("%s/%s: no longer sent" % (path, k))
            elif k not in a:
                out.append("%s/%s: new (%s)" % (path, k, json.dumps(b[k])[:80]))
            else:
                out += differences(a[k], b[k], "%s/%s" % (path, k))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) == 1 or len(b) == 1:  # an empty list matches any list
            return []
        return [] if a == b else ["%s: list elements %s, now %s" % (path, a[1:], b[1:])]
    return [] if a == b else ["%s: %s, now %s" % (path, json.dumps(a)[:80], json.dumps(b)[:80])]


def scenario(r):
    """The session whose messages become the fixtures (in this order)."""
    project = r.project
    r.srv.send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "processId": os.getpid(), "rootUri": None,
        "capabilities": {"window": {"workDoneProgress": True, "showMessage": {}}},
        "workspaceFolders": [{"uri": "file://" + project, "name": "fl-insurance"}],
        "initializationOptions": {}}})
    init = r.response(0)
    r.keep("initialize", "initialize → result", {"method": "initialize"}, init)
    r.srv.notify("initialized", {})

    first = r.status_changed(lambda p: p["project"] == project, 60, "the first statusChanged")
    assert first["params"]["image"] and first["params"]["image"]["ttfx"], "no image with a measurement: %r" % first
    assert first["params"]["staleness"]["state"] == "upToDate", first["params"]["staleness"]
    r.keep("statusChanged", "sysimage/statusChanged after initialized: an up-to-date image with a TTFX measurement",
           None, first)

    r.request("serverInfo", "sysimage/serverInfo")
    empty = os.path.join(r.root, "NewProject")
    os.makedirs(empty, exist_ok=True)
    with open(os.path.join(empty, "Project.toml"), "w") as f:
        f.write('name = "NewProject"\n')
    none = r.request("statusNoImage", "sysimage/status", {"project": empty})
    assert none["result"]["image"] is None and none["result"]["staleness"]["state"] == "none", none
    built = r.request("build", "sysimage/build", {"project": project, "workDoneToken": "fixture-build"})
    assert built["result"]["cached"], "the walkthrough's image should be up to date: %r" % built
    log = r.request("buildLog", "sysimage/buildLog", {"project": project})
    assert log["result"]["log"], log
    r.request("buildLogNotFound", "sysimage/buildLog", {"project": project, "buildId": "no-such-build"},
              expect="error")
    r.request("cancelBuild", "sysimage/cancelBuild", {"project": project})
    r.request("measure", "sysimage/measure", {"project": project, "runs": 1}, timeout=900)
    status = r.request("status", "sysimage/status", {"project": project})
    assert status["result"]["image"]["ttfx"]["runs"] == 1, status
    assert status["result"]["build"]["state"] == "succeeded", status["result"]["build"]
    r.request("replCommand", "sysimage/replCommand", {"project": project})
    # A build that fails at once (a malformed CPU target): RequestFailedData with the build's id.
    failed = r.request("buildFailed", "sysimage/build", {"project": project, "options": {"cpuTarget": "generic;"}},
                       expect="error")
    assert failed["error"]["code"] == -32803 and failed["error"]["data"]["reason"] == "buildFailed", failed

    # A build in progress, then cancelled by $/cancelRequest.
    rid = r.send_request("sysimage/build", {"project": project, "options": {"force": True},
                                            "workDoneToken": "fixture-cancel"})
    running = r.status_changed(lambda p: (p.get("build") or {}).get("state") == "running"
                               and p["build"]["percentage"] > 0, 600, "a running build in statusChanged")
    r.keep("statusBuilding", "sysimage/statusChanged while a build runs", None, running)
    r.srv.notify("$/cancelRequest", {"id": rid})
    cancelled = r.response(rid, 120)
    assert cancelled.get("error", {}).get("code") == -32800, cancelled
    r.keep("buildCancelled", "sysimage/build → error (cancelled)",
           {"method": "sysimage/build", "params": {"project": project, "options": {"force": True}}}, cancelled)
    r.status_changed(lambda p: (p.get("build") or {}).get("state") == "cancelled", 60, "the cancelled build")

    # The manifest changes: the image is outdated, the server offers a rebuild once.
    with open(os.path.join(project, "Project.toml"), "a") as f:
        f.write('%s = "%s"\n' % UNICODE)
    with open(os.path.join(project, "Manifest.toml"), "a") as f:
        f.write('\n[[%s]]\nuuid = "%s"\n' % UNICODE)
    outdated = r.status_changed(lambda p: p["staleness"]["diff"], 30, "the package diff")
    r.keep("statusOutdated", "sysimage/statusChanged after a package was added to the manifest", None, outdated)
    offer = r.take(lambda m: m.get("method") == "window/showMessageRequest", 30, "the rebuild offer")
    r.keep("rebuildOffer", "window/showMessageRequest: the rebuild offer (server → client)", None, offer)
    r.srv.send({"jsonrpc": "2.0", "id": offer["id"], "result": {"title": "Not now"}})

    # A manifest that cannot be read (half written): the last good state is kept, the error shown.
    with open(os.path.join(project, "Manifest.toml"), "a") as f:
        f.write("\n[[Broken]\n")
    broken = r.status_changed(lambda p: "manifestError" in p["staleness"], 30, "the manifest error")
    r.keep("statusManifestError", "sysimage/statusChanged while Manifest.toml cannot be parsed", None, broken)

    # A Julia that cannot be found.
    r.srv.notify("workspace/didChangeConfiguration",
                 {"settings": {"juliaSysimage": {"juliaPath": os.path.join(r.root, "no-such-julia")}}})
    nojulia = r.status_changed(lambda p: p["julia"].get("errorKind") == "notFound", 60, "a status without Julia")
    r.keep("statusJuliaNotFound", "sysimage/statusChanged when the configured Julia does not exist", None, nojulia)

    assert r.srv.shutdown() == 0


def main():
    server, repo, root = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    fixtures = os.path.join(repo, "tests", "fixtures", "protocol")
    if not os.path.isdir(os.path.join(root, "state")):
        print("FAIL: %s has no walkthrough state: run the walkthrough test first (ctest -R walkthrough.docs)" % root)
        return 1
    r = Recorder(server, repo, root)
    saved = {f: open(os.path.join(r.project, f)).read() for f in ("Project.toml", "Manifest.toml")}
    try:
        scenario(r)
    except Exception:
        r.srv.kill()
        print("--- server log:", open(r.srv.log_path, errors="replace").read()[-4000:], sep="\n")
        raise
    finally:
        for f, text in saved.items():  # the scenario adds a package: leave the walkthrough's project as it was
            with open(os.path.join(r.project, f), "w") as out:
                out.write(text)
    update = os.environ.get("SYSIMAGE_UPDATE_FIXTURES") == "1"
    failures = []
    for name, fixture in sorted(r.recorded.items()):
        fixture = r.normalize(fixture)
        path = os.path.join(fixtures, name + ".json")
        if update:
            os.makedirs(fixtures, exist_ok=True)
            with open(path, "w") as f:
                json.dump(fixture, f, indent=2, ensure_ascii=False)
                f.write("\n")
            print("wrote " + path)
            continue
        if not os.path.exists(path):
            failures.append("%s: missing (the server now sends it)" % path)
            continue
        committed = json.load(open(path, encoding="utf-8"))
        diff = differences(shape(committed["message"]), shape(fixture["message"]))
        failures += ["%s: %s" % (name, d) for d in diff]
    if not update:
        extra = sorted(set(f[:-5] for f in os.listdir(fixtures) if f.endswith(".json")) - set(r.recorded))
        failures += ["%s.json: no longer recorded (remove it, and its uses in the clients' tests)" % n for n in extra]
    if failures:
        print("FAIL: the server's messages no longer match tests/fixtures/protocol:")
        for f in failures:
            print("  " + f)
        print("If the change is intended: SYSIMAGE_UPDATE_FIXTURES=1 ctest -R walkthrough.protocol_fixtures, then update both "
              "clients (their unit tests load these files) and docs/protocol.md in the same commit.")
        return 1
    print("protocol fixtures: %d messages %s" % (len(r.recorded), "written" if update else "match"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
