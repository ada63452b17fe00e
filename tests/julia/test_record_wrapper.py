#!/usr/bin/env python3
"""`sysimage-server record -- julia …` over a real script with the real Julia: statements land in
the project's store, output passes through, and the exit code is Julia's.

usage: test_record_wrapper.py <sysimage-server> <repo>
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from rpc import Server  # noqa: E402
from testutil import julia_path  # noqa: E402


def main():
    server_bin, repo = sys.argv[1], sys.argv[2]
    julia = julia_path(repo)
    tmp = tempfile.mkdtemp(prefix="record-test-")
    project = os.path.join(tmp, "fl-insurance")
    shutil.copytree(os.path.join(repo, "examples", "fl-insurance"), project)
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"))

    r = subprocess.run([server_bin, "record", "--", julia, "--project=" + project, os.path.join(project, "workload.jl")],
                       capture_output=True, text=True, env=env, cwd=tmp, timeout=300)
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert "tiv_2012" in r.stdout or "mean" in r.stdout.lower(), "the script's output did not pass through: " + r.stdout
    assert "recorded" in r.stderr and "new precompile statements for FLInsurance" in r.stderr, r.stderr

    # The server sees what the wrapper recorded.
    srv = Server(server_bin, env=env, log_path=os.path.join(tmp, "server.log"))
    srv.initialize([project])
    status = srv.request("sysimage/status", {"project": project})["result"]
    total = status["statements"]["total"]
    assert total >= 20, status
    assert srv.shutdown() == 0

    # Julia's exit code passes through; a second run adds nothing new.
    r = subprocess.run([server_bin, "record", "--project", project, "--", julia, "-e", "using Statistics; mean([1,2]); exit(3)"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 3, (r.returncode, r.stderr)
    r = subprocess.run([server_bin, "record", "--", "/nonexistent/julia", "-e", "0"], capture_output=True, text=True,
                       env=env, timeout=60)
    assert r.returncode == 2 and "not" in r.stderr.lower(), (r.returncode, r.stderr)
    print("PASS: record wrapper stored %d statements; exit codes pass through" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
