#!/usr/bin/env python3
"""The walkthrough: every command line README.md and docs/protocol.md show (docs_commands.py) runs as
written -- through bash, from a directory laid out like the repository (build/bin/sysimage-server is
the server under test, examples/fl-insurance a fresh copy, build/bin and the real Julia on PATH, a
fresh state directory) -- and its output and exit code are checked. A documented command line
without a check here, or a check whose line left the docs, fails the test before anything runs.

One real build (and one interrupted early): the first `build` line builds; the other `build` line, run right after in another
process, must answer "up to date"; status and bench use that image. The documented exit codes of
failures (usage, missing project, unusable Julia, missing workload, interrupted build) are checked
too. The directory is left in <workdir> for record_protocol.py (the protocol fixtures).

usage: test_walkthrough.py <sysimage-server> <repo> <workdir>
"""
import glob
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, HERE)
from docs_commands import command_lines  # noqa: E402
from rpc import Server, SocketPeer  # noqa: E402
from testutil import julia_path  # noqa: E402

PROJECT = "examples/fl-insurance"


class Walkthrough:
    def __init__(self, server, repo, root):
        self.root = root
        self.project = os.path.join(root, PROJECT)
        self.server = os.path.join(root, "build", "bin", "sysimage-server")
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(os.path.dirname(self.server))
        os.symlink(os.path.abspath(server), self.server)
        shutil.copytree(os.path.join(repo, PROJECT), self.project)
        self.state = os.path.join(root, "state")
        runtime = os.path.join(root, "run")
        os.makedirs(runtime, mode=0o700)
        julia = julia_path(repo)
        self.env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=self.state, XDG_RUNTIME_DIR=runtime,
                        PATH=os.pathsep.join([os.path.dirname(self.server), os.path.dirname(julia),
                                              os.environ.get("PATH", "")]))
        for name in ("JULIA", "JULIA_PROJECT", "JULIA_LOAD_PATH"):
            self.env.pop(name, None)
        self.image = None

    # -- running ------------------------------------------------------------------------------

    def run(self, line, timeout=600):
        """Runs `line` with bash from the root; returns the CompletedProcess (text)."""
        print("$ " + line, flush=True)
        t0 = time.monotonic()
        r = subprocess.run(["bash", "-c", line], cwd=self.root, env=self.env, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        print("  exit %d after %.1f s" % (r.returncode, time.monotonic() - t0), flush=True)
        return r

    def popen(self, line, **kw):
        print("$ " + line + "   (background)", flush=True)
        return subprocess.Popen(["bash", "-c", "exec " + line], cwd=self.root, env=self.env, text=True, **kw)

    def images(self):
        return sorted(glob.glob(os.path.join(self.state, "*", "*", "sysimage-*.so")))

    @staticmethod
    def expect(r, code, *patterns, stream="stdout"):
        text = getattr(r, stream)
        if r.returncode != code:
            raise AssertionError("exit code %d, expected %d\n--- stdout:\n%s\n--- stderr:\n%s"
                                 % (r.returncode, code, r.stdout[-3000:], r.stderr[-3000:]))
        for p in patterns:
            if not re.search(p, text, re.M):
                raise AssertionError("%s does not match %r:\n%s" % (stream, p, text[-3000:]))
        return text

    def protocol_status(self):
        """sysimage/status of the project from a stdio server, for comparison with `status --json`."""
        srv = Server(self.server, env=self.env, cwd=self.root)
        try:
            srv.initialize([self.project])
            status = srv.request("sysimage/status", {"project": self.project})["result"]
            assert srv.shutdown() == 0
            return status
        finally:
            srv.kill()

    def session_over(self, peer, token=None):
        info = peer.initialize([self.project], options={"token": token} if token else None)
        assert info["serverInfo"]["name"] == "sysimage-server", info
        status = peer.request("sysimage/status", {"project": self.project})
        assert status["result"]["name"] == "FLInsurance", status
        peer.shutdown()

    # -- the checks, one per documented command line ------------------------------------------

    def help(self, line):
        out = self.expect(self.run(line), 0)
        for sub in ("serve", "record", "build", "status", "bench"):
            assert re.search(r"^\s+%s\s" % sub, out, re.M), "--help does not list %s:\n%s" % (sub, out)

    def stdio(self, line):
        srv = Server("bash", ["-c", "exec " + line], env=self.env, cwd=self.root)
        try:
            self.session_over(srv)
            assert srv.proc.wait(timeout=30) == 0, "exit code after shutdown/exit"
        finally:
            srv.kill()

    def listen(self, line, connect):
        proc = self.popen(line, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            first = proc.stdout.readline()
            token = None
            if first.startswith("token file "):
                # TCP: the token file (mode 0600) comes first, then the address with the token.
                token_file = first[len("token file "):].strip()
                assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600, "token file mode"
                with open(token_file) as f:
                    token = f.read().strip()
                first = proc.stdout.readline()
            m = re.match(r"listening on (tcp:127\.0\.0\.1:(\d+)\?token=([A-Za-z0-9._~-]+)|unix:([^?]+))$", first.strip())
            assert m, "the first line should say where it listens: %r" % first
            if token:
                assert m.group(3) == token, "the printed token is not the token file's"
            sock = connect(m)
            peer = SocketPeer(sock)
            self.session_over(peer, token)
            sock.close()
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0, "serve --listen exits 0 on SIGTERM"
        finally:
            if proc.poll() is None:
                proc.kill()

    def tcp(self, line):
        self.listen(line, lambda m: socket.create_connection(("127.0.0.1", int(m.group(2))), timeout=30))

    def unix(self, line):
        def connect(m):
            path = m.group(4)
            assert path == os.path.join(self.env["XDG_RUNTIME_DIR"], "sysimage.sock"), path
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, "socket mode %o" % os.stat(path).st_mode
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            return s
        self.listen(line, connect)

    def record_workload(self, line):
        r = self.run(line)
        self.expect(r, 0, r"counties; the 10 largest")
        m = re.search(r"recorded (\d+) new precompile statements for FLInsurance", r.stderr)
        assert m and int(m.group(1)) > 0, r.stderr

    def first_build(self, line):
        assert not self.images()
        r = self.run(line, timeout=3600)
        out = self.expect(r, 0, r"Replaying statements \d+/\d+", r"Linking",
                          r"built (\S+sysimage-\S+\.so) in [\d.]+ s \((\d+) statements replayed")
        self.image = re.search(r"built (\S+\.so) in", out).group(1)
        assert self.images() == [self.image], (self.images(), self.image)
        assert int(re.search(r"\((\d+) statements replayed", out).group(1)) > 0, out

    def second_build(self, line):
        r = self.run(line, timeout=3600)
        self.expect(r, 0, r"^sysimage is up to date: %s$" % re.escape(self.image))
        assert self.images() == [self.image], "a second build published another image: %s" % self.images()

    def status_text(self, line):
        out = self.expect(self.run(line), 0, r"^project\s+FLInsurance \(%s\)$" % re.escape(self.project),
                          r"^julia\s+1\.\d+\.\d+ ", r"^statements\s+[1-9]\d* recorded, 0 new since the last build",
                          r"^sysimage\s+upToDate$", r"^image\s+%s$" % re.escape(self.image))
        print(out)

    def status_json(self, line):
        out = self.expect(self.run(line), 0)
        cli = json.loads(out)  # exactly one JSON object
        assert isinstance(cli, dict), cli
        served = self.protocol_status()
        for s in (cli, served):
            s["image"].pop("ageSeconds")  # seconds apart
        assert cli == served, "status --json differs from sysimage/status:\n%s\n%s" % (
            json.dumps(cli, indent=1, sort_keys=True), json.dumps(served, indent=1, sort_keys=True))
        assert cli["image"]["path"] == self.image and cli["staleness"]["state"] == "upToDate", cli
        print(out)

    def bench_table(self, line):
        out = self.expect(self.run(line, timeout=1800), 0, r"^workload: \S+workload\.jl \(3 runs each",
                          r"^julia -e 0\s+[\d.]+", r"^workload, default sysimage\s+[\d.]+",
                          r"^workload, project sysimage\s+[\d.]+", r"^speedup: [\d.]+x \(image %s\)$" % re.escape(self.image))
        print(out)

    def bench_json(self, line):
        out = self.expect(self.run(line, timeout=1800), 0)
        m = json.loads(out)
        assert set(m) == {"workload", "runs", "bare", "withoutImage", "withImage", "speedup", "image"}, m
        assert m["runs"] == 1 and m["image"] == self.image and m["withImage"]["samples"], m
        assert m["speedup"] > 0, m
        print(out)

    def record_other(self, line):
        r = self.run(line)
        self.expect(r, 0, r"^2\.0$")
        assert re.search(r"recorded \d+ new precompile statements for FLInsurance", r.stderr), r.stderr

    # -- documented exit codes of failures ----------------------------------------------------

    def failures(self):
        s = "build/bin/sysimage-server"
        self.expect(self.run(s + " status --no-such-option"), 2, r"--no-such-option", stream="stderr")
        self.expect(self.run(s + " build --project no/such/dir"), 2, r"no such project directory", stream="stderr")
        self.expect(self.run(s + " record --project no/such/dir -- julia -e 0"), 2, r"no such project directory",
                    stream="stderr")
        self.expect(self.run(s + " status --project %s --julia /bin/false" % PROJECT), 2, r"--julia PATH",
                    stream="stderr")
        self.expect(self.run(s + " bench --project %s --workload missing.jl" % PROJECT), 1,
                    r"missing\.jl does not exist", stream="stderr")
        # Interrupted: SIGINT cancels the build, nothing is published, exit 130.
        proc = self.popen(s + " build --force --project " + PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            for out in proc.stdout:
                if "Loading packages" in out or "Starting Julia" in out:
                    break
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 130, (proc.returncode, err)
            assert "nothing was published" in err, err
        finally:
            if proc.poll() is None:
                proc.kill()
        assert self.images() == [], "an interrupted build published %s" % self.images()
        left = [d for d in glob.glob(os.path.join(self.state, "*", "*", "build-*")) if os.path.isdir(d)]
        assert not left, "a build directory was left: %s" % left


def main():
    server, repo, workdir = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    w = Walkthrough(server, repo, workdir)
    r = "build/bin/sysimage-server"
    p = "--project " + PROJECT
    # In this order: the records feed the build (the interrupted one before it, so the newest build
    # log is the real build's), the build feeds status and bench; the directory is left with an
    # up-to-date image and a measurement (record_protocol.py starts from there).
    checks = [
        (r + " --help", w.help),
        (r, w.stdio),
        (r + " serve --listen tcp:127.0.0.1:0", w.tcp),
        (r + ' serve --listen unix:"$XDG_RUNTIME_DIR/sysimage.sock"', w.unix),
        (r + " record -- julia --project=%s %s/workload.jl" % (PROJECT, PROJECT), w.record_workload),
        ("sysimage-server record %s -- julia -e 'using Statistics; println(median([3, 1, 2]))'" % p, w.record_other),
        (None, lambda _: w.failures()),
        (r + " build " + p, w.first_build),
        ("sysimage-server build " + p, w.second_build),
        (r + " status " + p, w.status_text),
        ("sysimage-server status %s --json" % p, w.status_json),
        (r + " bench %s --workload %s/workload.jl --runs 3" % (p, PROJECT), w.bench_table),
        ("sysimage-server bench %s --runs 1 --json" % p, w.bench_json),
    ]
    documented = command_lines(repo)
    checked = {line for line, _ in checks if line}
    unchecked = sorted(set(documented) - checked)
    stale = sorted(checked - set(documented))
    if unchecked or stale:
        for line in unchecked:
            print("FAIL: %s shows a command line this test does not check: %s" % (documented[line], line))
        for line in stale:
            print("FAIL: this test checks a command line the docs no longer show: %s" % line)
        print("Add a check to tests/walkthrough/test_walkthrough.py (or drop it) in the same commit as the docs.")
        return 1
    for line, check in checks:
        t0 = time.monotonic()
        try:
            check(line)
        except Exception as e:  # noqa: BLE001 -- report which documented line failed
            print("FAIL: %s\n  (%s)\n%s: %s" % (line, documented.get(line, "exit codes"), type(e).__name__, e))
            return 1
        print("ok (%.1f s): %s" % (time.monotonic() - t0, line or "documented exit codes"), flush=True)
    print("walkthrough: %d documented command lines ran as written" % len(documented))
    return 0


if __name__ == "__main__":
    sys.exit(main())
