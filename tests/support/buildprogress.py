"""Helpers of the real-Julia build tests: sysimage/build requests answered while $/progress is
collected, and the build processes still running."""
import os
import subprocess
import time


def build_processes(pattern):
    """Processes whose command line matches `pattern` (a test's temp dir: other tests may build too)."""
    r = subprocess.run(["pgrep", "-f", "--", pattern], capture_output=True, text=True)
    return [int(p) for p in r.stdout.split() if int(p) != os.getpid()]


class Progress:
    """Collects $/progress per token and the responses to our requests."""

    def __init__(self, srv):
        self.srv = srv
        self.values = {}
        self.responses = {}

    def pump(self, timeout=0.2):
        m = self.srv.channel.read_message(timeout)
        if m is None:
            return
        if m.get("method") == "$/progress":
            self.values.setdefault(m["params"]["token"], []).append(m["params"]["value"])
        elif "id" in m and "method" not in m:
            self.responses[m["id"]] = m
        else:
            self.srv._keep(m)

    def send_build(self, rid, project, token, **options):
        params = {"project": project, "workDoneToken": token}
        if options:
            params["options"] = options
        self.srv.send({"jsonrpc": "2.0", "id": rid, "method": "sysimage/build", "params": params})

    def messages(self, token):
        return [v.get("message", "") for v in self.values.get(token, [])]

    def until(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            self.pump()
        raise AssertionError("timed out waiting for " + what)
