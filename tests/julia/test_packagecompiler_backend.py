#!/usr/bin/env python3
"""The PackageCompiler backend for real: PackageCompiler 1.4.0 (../shared/third_party, the last
release for Julia 1.5) installed the way a user would, into the default environment of a depot with a
local registry, builds the FL example through the server.

- Without PackageCompiler, `auto` builds with the native backend (seen in its progress; cancelled).
- With it installed (a new server, so the Julia is probed again), a `packagecompiler` build shows
  PackageCompiler's progress and, cancelled while compiling, stops its whole process group and
  publishes nothing; then an `auto` build chooses PackageCompiler and publishes a working image
  whose sidecar says backend "packagecompiler", the baked-in packages and the statement count,
  with the statement that cannot replay counted as failed. Debian's Julia has no libjulia.so, so
  the build goes through the backend's libjulia link (the build log says so).

usage: test_packagecompiler_backend.py <sysimage-server> <repo>
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from buildprogress import Progress, build_processes  # noqa: E402
from pkgenv import LocalRegistry, install_default_environment_package  # noqa: E402
from rpc import Server  # noqa: E402
from testutil import julia_path, third_party, wait_for  # noqa: E402

UUIDS = {"Statistics": "10745b16-79ce-11e8-11f9-7d13ad32a3b2", "DelimitedFiles": "8bb1440f-4735-579b-a4ab-409b98df4dab",
         "FLInsurance": "dbf6e94e-b504-43bc-ba3a-6a13f6592c33"}


def main():
    server_bin, repo = sys.argv[1], sys.argv[2]
    julia = julia_path(repo)
    pc_source = third_party(repo, "PackageCompiler.jl-1.4.0")
    tmp = tempfile.mkdtemp(prefix="pc-backend-test-")
    depot = os.path.join(tmp, "depot")
    LocalRegistry(depot, os.path.join(tmp, "pkgsrc"))  # Pkg would try to clone General without one
    project = os.path.join(tmp, "fl-insurance")
    shutil.copytree(os.path.join(repo, "examples", "fl-insurance"), project)
    workload = os.path.join(project, "workload.jl")
    open(os.path.join(project, "extra_statements.jl"), "w").write(
        "precompile(Tuple{typeof(Base.doesnotexist), Int64})\n")
    open(os.path.join(project, "JuliaSysimage.toml"), "w").write('[sysimage]\nstatements_files = ["extra_statements.jl"]\n')
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"), JULIA_DEPOT_PATH=depot)
    env.pop("JULIA_PROJECT", None)
    r = subprocess.run([server_bin, "record", "--", julia, "--project=" + project, workload], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr

    log = os.path.join(tmp, "server.log")

    def start_server():
        srv = Server(server_bin, env=env, log_path=log)
        srv.initialize([project], capabilities={"window": {"workDoneProgress": True, "showMessage": {}}})
        return srv, Progress(srv)

    def cancel(p, rid):
        srv.notify("$/cancelRequest", {"id": rid})
        p.until(lambda: rid in p.responses, 30, "the cancelled answer")
        assert p.responses[rid]["error"]["code"] == -32800, p.responses[rid]
        wait_for(lambda: not build_processes(tmp), 10, "this test's build processes to be gone")
        wait_for(lambda: not [d for d in glob.glob(os.path.join(store, "build-*")) if os.path.isdir(d)], 10,
                 "the build directory (and PackageCompiler's object file in it) to be removed")
        assert glob.glob(os.path.join(store, "sysimage-*")) == [], "a cancelled build published something"

    srv = None
    try:
        # 1. PackageCompiler not installed: auto means native.
        srv, p = start_server()
        status = srv.request("sysimage/status", {"project": project})["result"]
        store = status["store"]["dir"]
        assert status["statements"]["total"] >= 20, status["statements"]
        p.send_build(1, project, "native")
        p.until(lambda: any(m.startswith(("Loading packages", "Replaying")) for m in p.messages("native")), 300,
                "the native backend's progress")
        assert not any("PackageCompiler" in m for m in p.messages("native")), p.messages("native")
        cancel(p, 1)
        assert srv.shutdown() == 0
        print("without PackageCompiler, auto built with the native backend: %r"
              % [m for m in p.messages("native") if m.startswith(("Loading packages", "Replaying"))][0])

        # 2. Installed into @v1.5 of the depot, as a user would.
        t0 = time.monotonic()
        install_default_environment_package(julia, depot, "PackageCompiler", pc_source)
        print("PackageCompiler 1.4.0 installed and precompiled in %.0f s" % (time.monotonic() - t0))
        srv, p = start_server()

        # 3. Cancelled while PackageCompiler compiles: the process group stops, nothing is published.
        p.send_build(2, project, "cancel", backend="packagecompiler")
        p.until(lambda: any(m.startswith("PackageCompiler: creating system image object file") for m in p.messages("cancel")),
                300, "PackageCompiler's compiling step")
        wait_for(lambda: build_processes("--output-o.*" + tmp), 60, "PackageCompiler's --output-o process")
        cancel(p, 2)
        print("cancelled while PackageCompiler compiled: no process, no image, no build directory")

        # 4. auto chooses PackageCompiler; the image works and its sidecar says how it was made.
        t0 = time.monotonic()
        p.send_build(3, project, "pc")
        p.until(lambda: 3 in p.responses, 1500, "the PackageCompiler build")
        seconds = time.monotonic() - t0
        res = p.responses[3]
        assert "result" in res, res
        res = res["result"]
        assert res["backend"] == "packagecompiler", res
        assert res["statementsFailed"] >= 1, "Base.doesnotexist cannot replay: %r" % res
        assert res["statementsOk"] >= 10, res
        values = p.values["pc"]
        assert values[0]["kind"] == "begin" and values[-1]["kind"] == "end", values
        pct = [v["percentage"] for v in values if "percentage" in v]
        assert pct == sorted(pct) and pct[-1] == 100, pct
        messages = p.messages("pc")
        for m in ("PackageCompiler: creating system image object file", "Linking"):
            assert any(x.startswith(m) for x in messages), messages

        image = res["image"]
        meta = json.load(open(image + ".json"))
        status = srv.request("sysimage/status", {"project": project})["result"]
        assert meta["backend"] == "packagecompiler" and meta["juliaVersion"] == "1.5.3", meta
        st = status["statements"]
        assert meta["statementCount"] == st["total"] - st["excluded"] and st["newSinceBuild"] == 0, (meta, st)
        for name, uuid in UUIDS.items():
            assert meta["packages"][uuid]["name"] == name, meta["packages"]
        assert status["image"]["usable"] and status["image"]["path"] == image, status["image"]
        cmd = srv.request("sysimage/replCommand", {"project": project})["result"]
        assert cmd["args"][:2] == ["-J", image], cmd["args"]
        check = ("print(all(haskey(Base.loaded_modules, Base.PkgId(Base.UUID(u), n)) for (n, u) in %s))"
                 % ("[" + ", ".join('("%s", "%s")' % kv for kv in UUIDS.items()) + "]"))
        out = subprocess.run([julia, "-J", image, "--startup-file=no", "-e", check], env=env,
                             capture_output=True, text=True, timeout=120)
        assert out.stdout == "true", (out.stdout, out.stderr)
        run = subprocess.run([julia, "-J", image, "--startup-file=no", "--project=" + project, workload], env=env,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0 and "correlation" in run.stdout, (run.stdout, run.stderr)
        build_log = srv.request("sysimage/buildLog", {"project": project})["result"]["log"]
        assert "PackageCompiler 1.4.0 from " + pc_source in build_log, build_log[-3000:]
        libdir = subprocess.run([julia, "--startup-file=no", "-e", "print(abspath(joinpath(Sys.BINDIR, Base.LIBDIR)))"],
                                capture_output=True, text=True, timeout=60).stdout
        if not os.path.exists(os.path.join(libdir, "libjulia.so")):  # Debian's layout, as installed by scripts/setup
            assert "no libjulia.so in this Julia's library directories" in build_log, build_log[-3000:]
        print("auto built with PackageCompiler in %.0f s: %d statements ok, %d failed; image loads %s"
              % (seconds, res["statementsOk"], res["statementsFailed"], ", ".join(UUIDS)))
        assert srv.shutdown() == 0
        print("PASS")
        return 0
    except Exception:
        print("--- server log:\n" + open(log, errors="replace").read()[-5000:])
        raise
    finally:
        if srv:
            srv.kill()


if __name__ == "__main__":
    sys.exit(main())
