#!/usr/bin/env python3
"""The stable trace file and statements of modules outside the project, with the real Julia.

A project's status names a stable trace file (`recording.traceFile`) that the server follows from the
moment the project is opened. Two Julia processes are started one after the other with
`--trace-compile=<traceFile>`, as the Julia extension's REPL is when our entry is in
`julia.additionalArgs`: the second start truncates the file. Nothing either wrote is lost and
nothing is counted twice (store total == |session 1 ∪ session 2|), and `traceFileSessions` says 2.

Both load a stand-in for the Julia extension's VSCodeServer from another environment on
JULIA_LOAD_PATH (tests/fixtures/vscodeserver-standin). Its statements are stored, counted in
`statements.outsideProject` / `outsideModules` with their reason, not counted as new for a build,
and left out of what a build replays (its statement file; the build is then cancelled, the e2e test
vscode.e2e_julia_repl runs a whole one). A third session that records only more VSCodeServer
statements adds nothing new for a build.

usage: test_stable_trace.py <sysimage-server> <repo>
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from buildprogress import Progress  # noqa: E402
from rpc import Server  # noqa: E402
from store import read_statements, trace_statements  # noqa: E402
from testutil import julia_path, wait_for  # noqa: E402

OUTSIDE = re.compile(r"(?<![.\w])VSCodeServer\.")


def read_complete_lines(path):
    """The lines of a file written atomically (temporary file + rename), once it is there."""
    try:
        return [l for l in open(path).read().split("\n") if l]
    except OSError:
        return None


def run_session(julia, project, trace, env, code):
    """One Julia process writing the stable trace file, as a REPL start of the Julia extension does."""
    r = subprocess.run([julia, "--startup-file=no", "--project=" + project, "--trace-compile=" + trace, "-e", code],
                       cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, "julia failed:\n" + r.stdout + r.stderr
    return r.stdout


def main():
    server_bin, repo = sys.argv[1], os.path.abspath(sys.argv[2])
    julia = julia_path(repo)
    tmp = tempfile.mkdtemp(prefix="stable-trace-")
    project = os.path.join(tmp, "stats-app")
    shutil.copytree(os.path.join(repo, "tests", "fixtures", "stats-app"), project)
    outside_env = os.path.join(repo, "tests", "fixtures", "vscodeserver-standin")
    state = os.path.join(tmp, "state")
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=state)
    # A depot of its own: VSCodeServer is precompiled once, in session 1, whatever else ran before.
    julia_env = dict(os.environ, JULIA_LOAD_PATH="@:" + outside_env + ":@stdlib",
                     JULIA_DEPOT_PATH=os.path.join(tmp, "depot"))
    julia_env.pop("JULIA_PROJECT", None)
    log = os.path.join(tmp, "server.log")
    srv = Server(server_bin, args=["--log-level", "debug"], env=env, log_path=log)
    try:
        srv.initialize([project])
        status = srv.request("sysimage/status", {"project": project})["result"]
        trace = status["recording"]["traceFile"]
        assert os.path.isabs(trace) and trace.startswith(state + os.sep) and trace.endswith(".jl"), trace
        assert os.path.isdir(os.path.dirname(trace)), "the trace file's directory must exist before Julia starts"
        assert status["recording"]["sessions"] == 0, status["recording"]
        assert status["recording"]["traceFileSessions"] == 0, status["recording"]
        store = status["store"]["dir"]

        def status_when(predicate, what, timeout=30):
            got = srv.wait_notification("sysimage/statusChanged", lambda p: p["project"] == project and predicate(p),
                                        timeout=timeout)
            if got is None:
                got = srv.request("sysimage/status", {"project": project})["result"]
                assert predicate(got), "timed out waiting for %s; last status: %s" % (what, json.dumps(got)[:2000])
            return got

        # Session 1: the stand-in VSCodeServer and the workload.
        out = run_session(julia, project, trace, julia_env,
                          'using VSCodeServer; VSCodeServer.serve(); VSCodeServer.evalrepl(Main, "include(\\"workload.jl\\")")')
        assert "StatsApp workload done" in out, out
        first = trace_statements(trace)
        assert any(OUTSIDE.search(s) for s in first), first
        s1 = status_when(lambda p: p["statements"]["total"] == len(first), "session 1 in the store")
        assert s1["recording"]["traceFileSessions"] == 1, s1["recording"]

        # Session 2 truncates the file and writes other statements (and many of the same ones).
        out = run_session(julia, project, trace, julia_env,
                          'using VSCodeServer; VSCodeServer.serve(); VSCodeServer.evalrepl(Main, '
                          '"using Statistics; println(quantile([3.0, 1.0, 2.0], 0.25), var([1.0, 2.5]))")')
        second = trace_statements(trace)
        assert first - second, "the second Julia did not truncate the trace file"
        both = first | second
        s2 = status_when(lambda p: p["statements"]["total"] == len(both) and p["recording"]["traceFileSessions"] == 2,
                         "session 2 in the store, counted as a second session")
        assert read_statements(store) == both, "the store differs from what the two sessions wrote"
        assert s2["statements"]["invalidLines"] == 0, s2["statements"]

        # Statements naming VSCodeServer: stored, counted with their reason, not new for a build.
        outside = {s for s in both if OUTSIDE.search(s) and "Main." not in s}
        counts = s2["statements"]
        assert counts["outsideProject"] == len(outside), (counts, sorted(outside))
        assert [(m["module"], m["statements"]) for m in counts["outsideModules"]] == [("VSCodeServer", len(outside))], counts
        assert "manifest" in counts["outsideModules"][0]["reason"], counts["outsideModules"]
        assert counts["newSinceBuild"] == counts["total"] - len(outside), counts

        # A build leaves them out: its statement file (what it replays) has none of them. The build is
        # cancelled once that file exists: the e2e test (vscode.e2e_julia_repl) runs a whole one.
        progress = Progress(srv)
        build_id = srv.next_id
        srv.next_id += 1
        progress.send_build(build_id, project, "leave-out")
        statements_file = wait_for(lambda: next(iter(glob.glob(os.path.join(store, "build-*", "statements.jl"))), None),
                                   120, "the build's statement file")
        replayed = wait_for(lambda: read_complete_lines(statements_file), 60, "a complete statement file")
        assert not [s for s in replayed if OUTSIDE.search(s)], "the build would replay VSCodeServer statements"
        expected = counts["total"] - counts["excluded"] - len(outside)
        assert len(replayed) == expected, "the build replays %d statements, expected %d (total %d, excluded %d, outside %d)" % (
            len(replayed), expected, counts["total"], counts["excluded"], len(outside))
        assert set(replayed) == {s for s in both - outside if "Main." not in s}, "the build replays other statements"
        assert srv.request("sysimage/cancelBuild", {"project": project})["result"]["cancelled"] is True
        progress.until(lambda: build_id in progress.responses, 60, "the cancelled build's answer")
        answer = progress.responses[build_id]
        assert answer.get("error", {}).get("code") == -32800, answer

        # Session 3 records only more VSCodeServer statements: nothing new for a build.
        run_session(julia, project, trace, julia_env,
                    'using VSCodeServer; VSCodeServer.serve(); VSCodeServer.ping(1.5); VSCodeServer.ping(:alive)')
        third = trace_statements(trace)
        new_outside = {s for s in third - both if OUTSIDE.search(s)}
        assert new_outside, "session 3 wrote no new VSCodeServer statement: %s" % sorted(third)
        assert third - both == new_outside, "session 3 recorded more than VSCodeServer: %s" % sorted(third - both - new_outside)
        s3 = status_when(lambda p: p["recording"]["traceFileSessions"] == 3 and
                         p["statements"]["total"] == len(both | third), "session 3 in the store")
        assert s3["statements"]["outsideProject"] == len(outside) + len(new_outside), s3["statements"]
        assert s3["statements"]["newSinceBuild"] == counts["newSinceBuild"], (s3["statements"], counts)
        assert srv.shutdown() == 0
        print("PASS: stable trace %s: 3 sessions, %d statements (none lost or doubled), %d outside the project, "
              "left out of a build of %d statements" % (trace, len(both | third), s3["statements"]["outsideProject"],
                                                          len(replayed)))
        return 0
    except Exception:
        print("--- server log:\n" + open(log, errors="replace").read()[-6000:])
        raise
    finally:
        srv.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
