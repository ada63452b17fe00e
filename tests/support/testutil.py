"""Helpers shared by the real-Julia scenario tests: the Julia to use, tmux, and waiting."""
import os
import subprocess
import time


def julia_path(repo):
    """The real Julia the project set up (scripts/julia-path)."""
    return subprocess.run([os.path.join(repo, "scripts", "julia-path")], capture_output=True, text=True,
                          check=True).stdout.strip()


def tmux(*args, check=True):
    return subprocess.run(["tmux"] + list(args), capture_output=True, text=True, check=check)


def wait_for(predicate, timeout, what, interval=0.1):
    """Polls `predicate` until it returns something true; raises AssertionError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting for " + what)
