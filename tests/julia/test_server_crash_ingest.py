#!/usr/bin/env python3
"""Crash safety of the real server: kill -9 the server many times while it ingests a fast-growing
trace file; after every restart the store loads, holds no duplicates, and has every statement the
server had acknowledged in a sysimage/statusChanged.

usage: test_server_crash_ingest.py <sysimage-server> <repo>
"""
import os
import random
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from rpc import Server  # noqa: E402
from store import read_statements  # noqa: E402

ROUNDS = 8


def main():
    server_bin = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="crash-ingest-")
    project = os.path.join(tmp, "proj")
    os.makedirs(project)
    open(os.path.join(project, "Project.toml"), "w").write('name = "CrashTest"\n')
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"))
    log = os.path.join(tmp, "server.log")
    rng = random.Random(42)
    counter = [0]
    acknowledged_total = 0
    try:
        for round_ in range(ROUNDS):
            srv = Server(server_bin, env=env, log_path=log)
            srv.initialize([project])
            status = srv.request("sysimage/status", {"project": project}, timeout=60)["result"]
            store = status["store"]["dir"]
            assert status["statements"]["total"] >= acknowledged_total, (round_, status["statements"], acknowledged_total)
            on_disk = read_statements(store)
            assert len(on_disk) == status["statements"]["total"], (len(on_disk), status["statements"])
            trace = srv.request("sysimage/replCommand", {"project": project})["result"]["traceFile"]
            stop = threading.Event()

            def write():
                with open(trace, "a") as f:
                    while not stop.is_set():
                        lines = []
                        for _ in range(50):
                            counter[0] += 1
                            lines.append("precompile(Tuple{typeof(Base.identity), NTuple{%d, Int64}})\n" % counter[0])
                        f.write("".join(lines))
                        f.flush()
                        time.sleep(0.002)
            writer = threading.Thread(target=write)
            writer.start()
            deadline = time.monotonic() + rng.uniform(0.3, 1.5)
            while time.monotonic() < deadline:
                m = srv.channel.read_message(0.05)
                if m and m.get("method") == "sysimage/statusChanged":
                    acknowledged_total = max(acknowledged_total, m["params"]["statements"]["total"])
            srv.kill()  # SIGKILL, mid-ingest
            stop.set()
            writer.join()
        srv = Server(server_bin, env=env, log_path=log)
        srv.initialize([project])
        final = srv.request("sysimage/status", {"project": project}, timeout=60)["result"]
        assert final["statements"]["total"] >= acknowledged_total
        assert len(read_statements(final["store"]["dir"])) == final["statements"]["total"]
        srv.shutdown()
        print("PASS: %d kill -9 rounds during ingest; %d statements acknowledged, %d in the store, no duplicates"
              % (ROUNDS, acknowledged_total, final["statements"]["total"]))
        return 0
    except Exception:
        print("--- server log:\n" + open(log, errors="replace").read()[-3000:])
        raise


if __name__ == "__main__":
    sys.exit(main())
