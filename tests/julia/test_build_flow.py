#!/usr/bin/env python3
"""Record -> build -> select with the real Julia: two concurrent build requests make one build with
work done progress; a statement that fails to replay is counted, not fatal; the next
sysimage/replCommand carries -J; a Julia started with the image has the project's packages loaded
without loading them and runs the workload faster; unchanged inputs hit the cache; cancelling while
replaying, compiling and linking publishes nothing and leaves no process; Julia killed with SIGKILL
mid-build fails clearly and keeps the previous image.

usage: test_build_flow.py <sysimage-server> <repo>
"""
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from buildprogress import Progress, build_processes  # noqa: E402
from rpc import Server  # noqa: E402
from testutil import julia_path, wait_for  # noqa: E402

STATISTICS = 'Base.PkgId(Base.UUID("10745b16-79ce-11e8-11f9-7d13ad32a3b2"), "Statistics")'


def main():
    server_bin, repo = sys.argv[1], sys.argv[2]
    julia = julia_path(repo)
    tmp = tempfile.mkdtemp(prefix="build-test-")
    project = os.path.join(tmp, "fl-insurance")
    shutil.copytree(os.path.join(repo, "examples", "fl-insurance"), project)
    workload = os.path.join(project, "workload.jl")
    # JuliaSysimage.toml's extra statements file, with one statement that cannot replay.
    open(os.path.join(project, "extra_statements.jl"), "w").write(
        "precompile(Tuple{typeof(Base.doesnotexist), Int64})\nprecompile(Tuple{typeof(Base.sum), Vector{Float64}})\n")
    open(os.path.join(project, "JuliaSysimage.toml"), "w").write(
        '[sysimage]\nstatements_files = ["extra_statements.jl"]\n')
    # A C compiler wrapper that can be made slow, to cancel during linking (not a Julia stand-in).
    slow_flag = os.path.join(tmp, "slow-link")
    cc = os.path.join(tmp, "cc-wrapper")
    open(cc, "w").write('#!/bin/sh\nif [ -e "%s" ]; then sleep 120; fi\nexec cc "$@"\n' % slow_flag)
    os.chmod(cc, 0o755)
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"), CC=cc)
    r = subprocess.run([server_bin, "record", "--", julia, "--project=" + project, workload], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    log = os.path.join(tmp, "server.log")
    srv = Server(server_bin, env=env, log_path=log)
    p = Progress(srv)
    try:
        srv.initialize([project], capabilities={"window": {"workDoneProgress": True, "showMessage": {}}})
        status = srv.request("sysimage/status", {"project": project})["result"]
        assert status["statements"]["total"] >= 20, status["statements"]
        store = status["store"]["dir"]

        # Two concurrent requests with the same inputs: one build, both answered with it.
        t0 = time.monotonic()
        p.send_build(1001, project, "tok-a")
        p.send_build(1002, project, "tok-b")
        p.until(lambda: 1001 in p.responses and 1002 in p.responses, 900, "the build")
        first_build = time.monotonic() - t0
        a, b = p.responses[1001], p.responses[1002]
        assert "result" in a and "result" in b, (a, b)
        assert a["result"]["buildId"] == b["result"]["buildId"] and a["result"]["image"] == b["result"]["image"], (a, b)
        assert len(glob.glob(os.path.join(store, "sysimage-*.so"))) == 1
        res = a["result"]
        assert res["statementsFailed"] >= 1, "Base.doesnotexist cannot replay: %r" % res
        assert res["statementsOk"] >= 10, res
        kinds = [v["kind"] for v in p.values["tok-a"]]
        assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds, kinds
        assert p.values["tok-a"][0]["cancellable"] is True
        pct = [v["percentage"] for v in p.values["tok-a"] if "percentage" in v]
        assert pct == sorted(pct) and pct[-1] == 100, pct
        messages = " | ".join(v.get("message", "") for v in p.values["tok-a"])
        for phase in ("Precompiling packages", "Replaying statements", "Compiling", "Linking"):
            assert phase in messages, messages

        status = srv.request("sysimage/status", {"project": project})["result"]
        assert status["staleness"]["state"] == "upToDate", status["staleness"]
        assert status["image"]["usable"] and status["image"]["path"] == res["image"], status["image"]
        assert status["statements"]["newSinceBuild"] == 0, status["statements"]
        cmd = srv.request("sysimage/replCommand", {"project": project})["result"]
        assert cmd["args"][:2] == ["-J", res["image"]], cmd["args"]
        out = subprocess.run([julia, "-J", res["image"], "--startup-file=no", "-e",
                              "print(haskey(Base.loaded_modules, %s))" % STATISTICS],
                             capture_output=True, text=True, timeout=120).stdout
        assert out == "true", "Statistics is not in the image: %r" % out

        # Faster: TTFX with and without the image.
        m = srv.request("sysimage/measure", {"project": project, "workload": workload, "runs": 3}, timeout=600)
        m = m["result"]
        assert m["withImage"]["median"] < m["withoutImage"]["median"], m
        print("TTFX: bare %.2f s, without image %.2f s, with image %.2f s (speedup %.2fx); first build %.0f s"
              % (m["bare"]["median"], m["withoutImage"]["median"], m["withImage"]["median"], m["speedup"], first_build))

        # Unchanged inputs: no rebuild.
        t0 = time.monotonic()
        cached = srv.request("sysimage/build", {"project": project})["result"]
        hit_ms = (time.monotonic() - t0) * 1000
        assert cached["cached"] and cached["image"] == res["image"], cached
        print("cache hit answered in %.1f ms" % hit_ms)
        logres = srv.request("sysimage/buildLog", {"project": project})["result"]
        assert logres["log"], logres
        # The preparation step loaded (precompiled) the packages in its own process: the process that
        # writes the image loads them from their caches, never from source.
        log_text = logres["log"]
        assert "/prepare.jl " in log_text, log_text[:2000]
        object_step = log_text[log_text.index("/build_sysimage.jl "):]
        assert "Precompiling" not in object_step, object_step[:3000]
        assert "--threads=1" in log_text

        # Cancel in each phase: nothing published, no process left, no build directory.
        def cancel_in(phase_word, rid, prepare=None):
            if prepare:
                prepare()
            token = "tok-%d" % rid
            p.send_build(rid, project, token, force=True)
            p.until(lambda: any(phase_word in v.get("message", "") for v in p.values.get(token, [])), 600,
                    "phase " + phase_word)
            t_cancel = time.monotonic()
            srv.notify("$/cancelRequest", {"id": rid})
            p.until(lambda: rid in p.responses, 10, "the cancelled answer")
            elapsed = time.monotonic() - t_cancel
            assert p.responses[rid]["error"]["code"] == -32800, p.responses[rid]
            assert elapsed < 2.0, "cancel took %.2f s" % elapsed
            wait_for(lambda: not build_processes(tmp), 3, "this test's build processes to be gone")
            assert glob.glob(os.path.join(store, "sysimage-*.so")) == [res["image"]]
            wait_for(lambda: not [d for d in glob.glob(os.path.join(store, "build-*")) if os.path.isdir(d)], 3,
                     "the build directory to be removed")
            print("cancelled while %s in %.2f s" % (phase_word, elapsed))

        cancel_in("Replaying", 2001)
        cancel_in("Compiling", 2002)
        cancel_in("Linking", 2003, prepare=lambda: open(slow_flag, "w").close())
        os.remove(slow_flag)

        # Julia killed with SIGKILL mid-build: a clear failure; the previous image stays in use.
        p.send_build(3001, project, "tok-kill", force=True)
        p.until(lambda: any("Compiling" in v.get("message", "") for v in p.values.get("tok-kill", [])), 600,
                "compiling")
        for pid in build_processes("build_sysimage.jl.*" + tmp):
            os.kill(pid, signal.SIGKILL)
        p.until(lambda: 3001 in p.responses, 30, "the failed build")
        err = p.responses[3001]["error"]
        assert err["code"] == -32803 and "kill" in err["message"].lower(), err
        assert err["data"]["buildId"] and isinstance(err["data"].get("logTail", []), list), err
        status = srv.request("sysimage/status", {"project": project})["result"]
        assert status["image"]["path"] == res["image"] and status["image"]["usable"], status["image"]
        assert status["build"]["state"] == "failed", status["build"]
        print("SIGKILL mid-build: %s" % err["message"])
        assert srv.shutdown() == 0
        print("PASS")
        return 0
    except Exception:
        print("--- server log:\n" + open(log, errors="replace").read()[-5000:])
        raise
    finally:
        srv.kill()


if __name__ == "__main__":
    sys.exit(main())
