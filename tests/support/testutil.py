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


def third_party(repo, name):
    """The folder of third-party code `name` that tests use as a user would have it (never copied into
    the project): $SYSIMAGE_THIRD_PARTY_DIR/<name>, else ../shared/third_party/<name> seen from the
    checkout, else from its parent (a git worktree one level deeper). Raises AssertionError if absent."""
    candidates = []
    if os.environ.get("SYSIMAGE_THIRD_PARTY_DIR"):
        candidates.append(os.path.join(os.environ["SYSIMAGE_THIRD_PARTY_DIR"], name))
    candidates += [os.path.join(repo, "..", "shared", "third_party", name),
                   os.path.join(repo, "..", "..", "shared", "third_party", name)]
    for c in candidates:
        if os.path.isdir(c):
            return os.path.abspath(c)
    raise AssertionError("third-party folder %s not found (looked at %s)" % (name, ", ".join(candidates)))
