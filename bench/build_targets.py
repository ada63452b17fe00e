#!/usr/bin/env python3
"""Whole-process benchmark of the build targets on the FL insurance example (real Julia):
  - TTFX with the image vs 1.2 x (bare `julia -e 0` + the workload's warm in-process time)
  - server overhead during a build: server CPU time / build wall time (target < 2 %)
  - cache hit for unchanged inputs (target < 50 ms)
Prints figures; asserts nothing. usage: bench/build_targets.py [build/bin/sysimage-server] [runs]
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(here)
sys.path.insert(0, os.path.join(repo, "tests", "support"))
from rpc import Server  # noqa: E402
from testutil import julia_path  # noqa: E402


def cpu_seconds(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo, "build", "bin", "sysimage-server")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    julia = julia_path(repo)
    tmp = tempfile.mkdtemp(prefix="build-bench-")
    project = os.path.join(tmp, "fl-insurance")
    shutil.copytree(os.path.join(repo, "examples", "fl-insurance"), project)
    workload = os.path.join(project, "workload.jl")
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"))
    subprocess.run([binary, "record", "--", julia, "--project=" + project, workload], env=env, check=True,
                   capture_output=True, timeout=600)
    warm = os.path.join(tmp, "warm.txt")
    subprocess.run([julia, "--startup-file=no", "--project=" + project, "-e",
                    'using FLInsurance; redirect_stdout(open("/dev/null", "w")) do; FLInsurance.main(); '
                    't = @elapsed FLInsurance.main(); write("%s", string(t)); end' % warm],
                   check=True, capture_output=True, timeout=600)
    warm_s = float(open(warm).read())

    srv = Server(binary, env=env, log_path=os.path.join(tmp, "server.log"))
    srv.initialize([project])
    cpu0, t0 = cpu_seconds(srv.proc.pid), time.monotonic()
    built = srv.request("sysimage/build", {"project": project}, timeout=1800)["result"]
    wall = time.monotonic() - t0
    server_cpu = cpu_seconds(srv.proc.pid) - cpu0
    t1 = time.monotonic()
    cached = srv.request("sysimage/build", {"project": project})["result"]
    hit_ms = (time.monotonic() - t1) * 1000
    m = srv.request("sysimage/measure", {"project": project, "workload": workload, "runs": runs}, timeout=1800)["result"]
    srv.shutdown()
    bare, without, with_ = m["bare"]["median"], m["withoutImage"]["median"], m["withImage"]["median"]
    target = 1.2 * (bare + warm_s)
    print("build: %.1f s wall, server CPU %.2f s = %.2f %% of the build's wall time (target < 2 %%)"
          % (wall, server_cpu, 100 * server_cpu / wall))
    print("cache hit for unchanged inputs: %.1f ms (target < 50 ms; cached=%s)" % (hit_ms, cached["cached"]))
    print("TTFX (median of %d fresh processes): bare %.2f s, without image %.2f s, with image %.2f s (%.1fx)"
          % (runs, bare, without, with_, m["speedup"]))
    print("warm in-process workload %.2f s; target for TTFX with the image: 1.2 x (%.2f + %.2f) = %.2f s -> %s"
          % (warm_s, bare, warm_s, target, "met" if with_ <= target else "missed by %.2f s" % (with_ - target)))
    print("statements replayed %d, failed %d" % (built["statementsOk"], built["statementsFailed"]))


if __name__ == "__main__":
    main()
