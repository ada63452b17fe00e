#!/usr/bin/env python3
"""Two editors, one project: two server processes on one project and state directory. Concurrent
recording from two real REPLs, then a build requested from both: one build, both servers see the
image, and the store holds the union of the statements without duplicates.

usage: test_two_servers.py <sysimage-server> <repo>
"""
import glob
import os
import shlex
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from rpc import Server  # noqa: E402
from testutil import tmux, wait_for  # noqa: E402
from store import read_statements, trace_statements  # noqa: E402


def main():
    server_bin, repo = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="two-servers-")
    project = os.path.join(tmp, "fl-insurance")
    shutil.copytree(os.path.join(repo, "examples", "fl-insurance"), project)
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"), TMUX_TMPDIR=tmp)
    env.pop("TMUX", None)
    os.environ["TMUX_TMPDIR"] = tmp
    logs = [os.path.join(tmp, "a.log"), os.path.join(tmp, "b.log")]
    servers = [Server(server_bin, env=env, log_path=logs[0]), Server(server_bin, env=env, log_path=logs[1])]
    sessions = []
    try:
        for s in servers:
            s.initialize([project])
        commands = [s.request("sysimage/replCommand", {"project": project})["result"] for s in servers]
        code = ["using Statistics; mean([1.0, 2.0]); median([1, 5, 3]); std([1.0, 2.0, 4.0])",
                "using DelimitedFiles; readdlm(IOBuffer(\"1,2\\n3,4\"), ',') |> sum"]
        for i, cmd in enumerate(commands):
            name = "two-%d-%d" % (os.getpid(), i)
            sessions.append(name)
            tmux("new-session", "-d", "-s", name, "-x", "200", "-y", "50", "-c", project,
                 shlex.join([cmd["command"]] + cmd["args"]))
        for name in sessions:
            wait_for(lambda: "julia>" in tmux("capture-pane", "-p", "-t", name, check=False).stdout, 60, "a prompt")
        for name, c in zip(sessions, code):  # both REPLs record at the same time
            tmux("send-keys", "-t", name, c, "Enter")
        traces = [c["traceFile"] for c in commands]

        def finished(name):  # the prompt is back after the code's output: Julia wrote its traces
            return tmux("capture-pane", "-p", "-t", name, check=False).stdout.count("julia>") >= 2
        wait_for(lambda: all(finished(n) for n in sessions), 300, "both REPLs to finish their code")
        wait_for(lambda: all(trace_statements(t) for t in traces), 60, "statements in both trace files")
        union = set().union(*[trace_statements(t) for t in traces])

        def totals():
            return [s.request("sysimage/status", {"project": project})["result"]["statements"]["total"] for s in servers]
        wait_for(lambda: len(set(totals())) == 1 and totals()[0] >= len(union), 20, "both servers to hold the union")
        for name in sessions:
            tmux("send-keys", "-t", name, "exit()", "Enter")
        wait_for(lambda: all(tmux("has-session", "-t", n, check=False).returncode != 0 for n in sessions), 60,
                 "both REPLs to exit")
        store = servers[0].request("sysimage/status", {"project": project})["result"]["store"]["dir"]
        # Julia may compile a little more at exit(): wait until both servers agree with the disk.
        wait_for(lambda: all(t == len(read_statements(store)) for t in totals()), 20,
                 "both servers to hold exactly what the store holds")
        stored = read_statements(store)
        assert union <= stored, "missing: %r" % sorted(union - stored)[:3]

        # A build requested from both editors at once: one build; both see its image.
        for i, s in enumerate(servers):
            s.send({"jsonrpc": "2.0", "id": 500 + i, "method": "sysimage/build", "params": {"project": project}})
        results = []
        for i, s in enumerate(servers):
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline:
                m = s.channel.read_message(1)
                if m and m.get("id") == 500 + i:
                    results.append(m)
                    break
                if m:
                    s._keep(m)
        assert len(results) == 2 and all("result" in r for r in results), results
        images = glob.glob(os.path.join(store, "sysimage-*.so"))
        assert len(images) == 1, "expected exactly one build, found images %r" % images
        assert results[0]["result"]["image"] == results[1]["result"]["image"] == images[0], results
        assert sum(1 for r in results if r["result"]["cached"]) == 1, "one build, one reuse: %r" % results
        for s in servers:
            st = s.request("sysimage/status", {"project": project})["result"]
            assert st["staleness"]["state"] == "upToDate" and st["image"]["path"] == images[0], st["staleness"]
        # A fresh server sees the same union.
        for s in servers:
            assert s.shutdown() == 0
        fresh = Server(server_bin, env=env, log_path=logs[0])
        fresh.initialize([project])
        st = fresh.request("sysimage/status", {"project": project})["result"]
        # Julia may compile a little more at exit(); the fresh server ingests that too.
        now_stored = read_statements(store)
        assert stored <= now_stored and st["statements"]["total"] == len(now_stored), (st["statements"], len(now_stored))
        fresh.shutdown()
        print("PASS: %d statements from two REPLs in two servers, one build (%s), both up to date"
              % (len(stored), os.path.basename(images[0])))
        return 0
    except Exception:
        for path in logs:
            print("--- %s:\n%s" % (path, open(path, errors="replace").read()[-2500:]))
        raise
    finally:
        for s in servers:
            s.kill()
        for name in sessions:
            tmux("kill-session", "-t", name, check=False)


if __name__ == "__main__":
    sys.exit(main())
