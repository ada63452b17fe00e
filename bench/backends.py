#!/usr/bin/env python3
"""Where the native backend stands against PackageCompiler: in one run, the FL example's workload is
recorded once, the same statements are built into a sysimage by the server with the native backend
and with PackageCompiler 1.4.0 (../shared/third_party, installed into the default environment of a
private depot as a user would), then fresh processes are timed, interleaved: the workload without an
image, with each image, bare `julia -e 0`, and the warm run (a second `FLInsurance.main()` in a
process that already ran it: the workload without compilation). Prints figures and the targets
(native build time <= PackageCompiler's, native TTFX <= PackageCompiler's, native failed statements
<= PackageCompiler's); asserts nothing. Needs scripts/setup (the real Julia 1.5.3) and gcc.

"Failed" is what each backend reports: the native backend counts a statement that does not parse,
throws, or whose `precompile` returns false; PackageCompiler counts only those that throw (it
ignores precompile's result; each is a `Debug: failed to execute` line). "Still compiled" counts the
`--trace-compile` lines of one workload run with the image: what the image lacks, measured the same
way for both.

usage: bench/backends.py [build/bin/sysimage-server] [runs]     (runs: timed processes per variant, default 5)
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)
sys.path.insert(0, os.path.join(repo, "tests", "support"))
from pkgenv import LocalRegistry, install_default_environment_package  # noqa: E402
from rpc import Server  # noqa: E402
from testutil import julia_path, third_party  # noqa: E402


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def timed(cmd, env):
    t0 = time.monotonic()
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), r.stderr[-2000:]))
    return time.monotonic() - t0, r.stderr


def summary(samples):
    return "%6.2f s (%.2f-%.2f)" % (statistics.median(samples), min(samples), max(samples))


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo, "build", "bin", "sysimage-server")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    julia = julia_path(repo)
    tmp = tempfile.mkdtemp(prefix="bench-backends-")
    depot = os.path.join(tmp, "depot")
    LocalRegistry(depot, os.path.join(tmp, "pkgsrc"))
    log("installing PackageCompiler 1.4.0 into %s/environments/v1.5 (not timed)" % depot)
    install_default_environment_package(julia, depot, "PackageCompiler", third_party(repo, "PackageCompiler.jl-1.4.0"))
    project = os.path.join(tmp, "fl-insurance")
    shutil.copytree(os.path.join(repo, "examples", "fl-insurance"), project)
    workload = os.path.join(project, "workload.jl")
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"), JULIA_DEPOT_PATH=depot)
    env.pop("JULIA_PROJECT", None)
    log("recording the workload")
    r = subprocess.run([binary, "record", "--", julia, "--project=" + project, workload], env=env,
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("recording failed: " + r.stderr)

    srv = Server(binary, env=env, log_path=os.path.join(tmp, "server.log"))
    builds = {}
    try:
        srv.initialize([project])
        statements = srv.request("sysimage/status", {"project": project})["result"]["statements"]
        for backend in ("native", "packagecompiler"):
            log("building with the %s backend" % backend)
            t0 = time.monotonic()
            res = srv.request("sysimage/build", {"project": project, "options": {"backend": backend, "force": True}},
                              timeout=3600)
            wall = time.monotonic() - t0
            if "result" not in res:
                raise RuntimeError("%s build failed: %s" % (backend, json.dumps(res["error"])[:3000]))
            res = res["result"]
            image = os.path.join(tmp, backend + ".so")
            shutil.copyfile(res["image"], image)  # the next build's publication may remove it
            builds[backend] = dict(res, wall=wall, copy=image)
            log("%s: %.0f s, %d ok, %d failed" % (backend, wall, res["statementsOk"], res["statementsFailed"]))
        srv.shutdown()
    finally:
        srv.kill()

    base = [julia, "--startup-file=no", "--project=" + project]
    for backend, b in builds.items():
        trace = os.path.join(tmp, backend + "-trace.jl")
        timed(base + ["-J", b["copy"], "--trace-compile=" + trace, workload], env)
        b["stillCompiled"] = sum(1 for line in open(trace) if line.strip())
    variants = {
        "bare julia -e 0": [julia, "--startup-file=no", "-e", "0"],
        "no image": base + [workload],
        "native image": base + ["-J", builds["native"]["copy"], workload],
        "PackageCompiler image": base + ["-J", builds["packagecompiler"]["copy"], workload],
    }
    warm_code = ('using FLInsurance; redirect_stdout(open("/dev/null", "w")) do; FLInsurance.main(); '
                 't = @elapsed FLInsurance.main(); print(stderr, "warm=", t); end')
    samples = {k: [] for k in variants}
    warm = []
    log("timing %d interleaved rounds" % runs)
    for _ in range(runs):
        for name, cmd in variants.items():
            samples[name].append(timed(cmd, env)[0])
        err = timed(base + ["-J", builds["native"]["copy"], "-e", warm_code], env)[1]
        warm.append(float(err.rsplit("warm=", 1)[1]))

    n, pc = builds["native"], builds["packagecompiler"]
    ttfx_n, ttfx_pc = statistics.median(samples["native image"]), statistics.median(samples["PackageCompiler image"])

    def target(ok):
        return "met" if ok else "NOT met"

    print("FL workload, Julia 1.5.3, %d statements recorded (+%d excluded), %d runs per variant, load average %.1f"
          % (statements["total"] - statements["excluded"], statements["excluded"], runs, os.getloadavg()[0]))
    print("%-34s %22s %22s" % ("", "native", "PackageCompiler 1.4.0"))
    print("%-34s %20.0f s %20.0f s   ratio native/PC %.2f (target <= 1: %s)"
          % ("build wall time", n["wall"], pc["wall"], n["wall"] / pc["wall"], target(n["wall"] <= pc["wall"])))
    print("%-34s %22s %22s   (target native failed <= PC failed: %s)"
          % ("statements replayed / failed", "%d / %d" % (n["statementsOk"], n["statementsFailed"]),
             "%d / %d" % (pc["statementsOk"], pc["statementsFailed"]),
             target(n["statementsFailed"] <= pc["statementsFailed"])))
    print("%-34s %22d %22d" % ("still compiled running the workload", n["stillCompiled"], pc["stillCompiled"]))
    print("TTFX, whole process, median (min-max):")
    for name in variants:
        print("  %-32s %s" % (name, summary(samples[name])))
    print("  %-32s %s" % ("warm run (2nd main() in-process)", summary(warm)))
    print("native TTFX / PackageCompiler TTFX: %.2f (target <= 1: %s)" % (ttfx_n / ttfx_pc, target(ttfx_n <= ttfx_pc)))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
