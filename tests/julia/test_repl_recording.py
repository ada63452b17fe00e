#!/usr/bin/env python3
"""Real REPL test (real Julia, under tmux): statements typed in a recorded REPL reach sysimage/status
and sysimage/statusChanged while the REPL runs, and survive kill -9 of Julia and of the server.

usage: test_repl_recording.py <sysimage-server> <repo>
"""
import os
import shlex
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from rpc import Server  # noqa: E402
from testutil import tmux, wait_for  # noqa: E402
from store import read_statements, trace_statements  # noqa: E402




def main():
    server_bin, repo = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="repl-test-")
    project = os.path.join(tmp, "fl-insurance")
    shutil.copytree(os.path.join(repo, "examples", "fl-insurance"), project)
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"), TMUX_TMPDIR=tmp)
    env.pop("TMUX", None)
    log = os.path.join(tmp, "server.log")
    srv = Server(server_bin, env=env, log_path=log)
    session = "repl-%d" % os.getpid()
    try:
        srv.initialize([project])
        first = srv.wait_notification("sysimage/statusChanged", lambda p: p["project"] == project, timeout=60)
        assert first is not None, "no statusChanged for the project after initialized"
        assert first["julia"]["version"], first
        before = first["statements"]["total"]

        cmd = srv.request("sysimage/replCommand", {"project": project})["result"]
        assert any(a.startswith("--trace-compile=") for a in cmd["args"]), cmd
        assert "--project=" + project in cmd["args"], cmd
        trace = cmd["traceFile"]
        line = shlex.join([cmd["command"]] + cmd["args"])
        tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "50", "-c", project, line)
        pane = lambda: tmux("capture-pane", "-p", "-t", session, check=False).stdout  # noqa: E731
        wait_for(lambda: "julia>" in pane(), 60, "the julia> prompt")

        tmux("send-keys", "-t", session, "using Statistics; mean([1.0, 2.0, 4.0]), median([3, 1, 2])", "Enter")
        status = srv.wait_notification("sysimage/statusChanged",
                                       lambda p: p["project"] == project and p["statements"]["total"] > before,
                                       timeout=30)
        assert status is not None, "no statusChanged with new statements while the REPL runs\n" + pane()
        assert tmux("has-session", "-t", session, check=False).returncode == 0, "the REPL is not running any more"
        polled = srv.request("sysimage/status", {"project": project})["result"]
        assert polled["statements"]["total"] >= status["statements"]["total"], polled
        assert polled["recording"]["sessions"] >= 1, polled

        tmux("send-keys", "-t", session,
             "using DelimitedFiles; readdlm(IOBuffer(\"1,2\\n3,4\"), ',') |> sum", "Enter")
        seen = srv.wait_notification("sysimage/statusChanged",
                                     lambda p: p["project"] == project and p["statements"]["total"] >
                                     status["statements"]["total"], timeout=30)
        assert seen is not None, "second batch of statements not seen\n" + pane()
        seen_total = seen["statements"]["total"]
        store_dir = seen["store"]["dir"]
        acknowledged = read_statements(store_dir)
        written = trace_statements(trace)
        assert len(acknowledged) >= seen_total, (len(acknowledged), seen_total)

        # kill -9 the Julia and the server.
        pid = int(tmux("list-panes", "-t", session, "-F", "#{pane_pid}").stdout.split()[0])
        os.kill(pid, 9)
        srv.kill()
        tmux("kill-session", "-t", session, check=False)

        srv = Server(server_bin, env=env, log_path=log)
        srv.initialize([project])
        after = srv.request("sysimage/status", {"project": project})["result"]
        assert after["statements"]["total"] >= seen_total, (after["statements"], seen_total)
        stored = read_statements(store_dir)
        missing = acknowledged - stored
        assert not missing, "statements lost after the crash: %r" % sorted(missing)[:3]
        lost = written - stored
        assert not lost, "statements Julia wrote before the crash are missing: %r" % sorted(lost)[:3]
        assert srv.shutdown() == 0
        print("PASS: %d statements recorded live, %d in the store after kill -9 and restart"
              % (seen_total, after["statements"]["total"]))
        return 0
    except Exception:
        print("--- server log:\n" + open(log, errors="replace").read()[-4000:])
        raise
    finally:
        srv.kill()
        tmux("kill-session", "-t", session, check=False)


if __name__ == "__main__":
    sys.exit(main())
