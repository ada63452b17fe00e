#!/usr/bin/env python3
"""Whole-process benchmark: latency from a precompile statement written to a trace file to the
sysimage/statusChanged that counts it (target < 200 ms), and the idle server's CPU use (target ≈ 0).
Needs the real Julia (scripts/install-julia) for the probe. Prints figures; asserts nothing.

usage: bench/recording_latency.py [build/bin/sysimage-server] [samples]
"""
import os
import statistics
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "support"))
from rpc import Server  # noqa: E402


def cpu_seconds(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "build", "bin", "sysimage-server")
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    tmp = tempfile.mkdtemp(prefix="latency-")
    project = os.path.join(tmp, "proj")
    os.makedirs(project)
    open(os.path.join(project, "Project.toml"), "w").write('name = "Bench"\n')
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"))
    srv = Server(binary, env=env, log_path=os.path.join(tmp, "server.log"))
    srv.initialize([project])
    srv.wait_notification("sysimage/statusChanged", timeout=60)
    cmd = srv.request("sysimage/replCommand", {"project": project})["result"]
    trace = open(cmd["traceFile"], "a")
    latencies = []
    total = srv.request("sysimage/status", {"project": project})["result"]["statements"]["total"]
    for i in range(samples):
        time.sleep(0.3)  # past the status rate limit (4/s), as a typing user would be
        start = time.monotonic()
        trace.write("precompile(Tuple{typeof(Base.identity), NTuple{%d, Int64}})\n" % (i + 1))
        trace.flush()
        want = total + 1
        got = srv.wait_notification("sysimage/statusChanged", lambda p: p["statements"]["total"] >= want, timeout=5)
        if got is None:
            print("sample %d: no notification within 5 s" % i)
            continue
        latencies.append((time.monotonic() - start) * 1000)
        total = got["statements"]["total"]
    latencies.sort()
    print("trace line -> sysimage/statusChanged latency over %d samples: median %.1f ms, p90 %.1f ms, max %.1f ms "
          "(target < 200 ms)" % (len(latencies), statistics.median(latencies),
                                 latencies[int(len(latencies) * 0.9) - 1], latencies[-1]))
    pid = srv.proc.pid
    before = cpu_seconds(pid)
    time.sleep(5)
    idle = cpu_seconds(pid) - before
    print("idle server CPU over 5 s with one followed trace file: %.3f s (%.2f %%; target ≈ 0)" % (idle, idle / 5 * 100))
    srv.shutdown()


if __name__ == "__main__":
    main()
