#!/usr/bin/env python3
"""Every mode of sysimage-server runs to its end, with the real Julia, in a build made with
AddressSanitizer + UndefinedBehaviorSanitizer (scripts/test's sanitizer pass; CTest label
"sanitizer"): record, build (one real small build, then an interrupted one), status, status --json,
bench (to the end, then interrupted), and serve over stdio (also leaving while a build runs), TCP and
a Unix socket. Each process must exit with its documented code and without a sanitizer report: the
shutdown releases every loop resource before its loop (timers, processes, watchers, build jobs,
measurements).

The project is tiny on purpose (one standard library, a few statements): the one real build takes
a few minutes on two cores.

usage: test_cli_modes.py <sysimage-server> <repo>
"""
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from rpc import Server, SocketPeer  # noqa: E402
from testutil import julia_path, wait_for  # noqa: E402

SANITIZER_REPORT = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "SUMMARY: UndefinedBehavior")
results = []  # (what, seconds) for the summary


def passed(what, seconds):
    results.append((what, seconds))
    print("ok  %-40s %6.1f s" % (what, seconds), flush=True)


def check_clean(what, stderr):
    for marker in SANITIZER_REPORT:
        if marker in stderr:
            raise AssertionError("%s: sanitizer report:\n%s" % (what, stderr[-6000:]))


def run(what, args, env, expect=0, timeout=1500, stdin=None):
    """Runs the server to its end; returns stdout. Fails on another exit code or a sanitizer report."""
    start = time.monotonic()
    p = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, input=stdin)
    check_clean(what, p.stderr)
    if p.returncode != expect:
        raise AssertionError("%s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s"
                             % (what, p.returncode, expect, p.stdout[-3000:], p.stderr[-6000:]))
    passed(what, time.monotonic() - start)
    return p.stdout


def interrupt(what, args, env, ready, expect):
    """Starts the server, sends SIGINT once `ready(stdout and stderr so far)` holds, checks how it ends."""
    start = time.monotonic()
    p = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_fd, err_fd = p.stdout.fileno(), p.stderr.fileno()
    seen = {out_fd: b"", err_fd: b""}
    try:
        deadline = time.monotonic() + 600
        while not ready(b"".join(seen.values()).decode(errors="replace")):
            if time.monotonic() > deadline:
                raise AssertionError("%s: never ready:\n%s" % (what, b"".join(seen.values()).decode(errors="replace")))
            readable, _, _ = select.select(list(seen), [], [], 1.0)
            for fd in readable:
                chunk = os.read(fd, 65536)
                if not chunk and p.poll() is not None:
                    raise AssertionError("%s: ended before it was ready (exit %s):\n%s"
                                         % (what, p.returncode, b"".join(seen.values()).decode(errors="replace")))
                seen[fd] += chunk
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    err = (seen[err_fd] + err).decode(errors="replace")
    check_clean(what, err)
    if p.returncode != expect:
        raise AssertionError("%s: exit %d, expected %d\n%s\n%s" % (what, p.returncode, expect, out, err[-6000:]))
    passed(what, time.monotonic() - start)


def socket_session(what, address, project):
    """One client session over a socket: initialize, status, shutdown, exit."""
    token = None
    if address.startswith("tcp:"):
        address, _, query = address.partition("?")
        token = query[len("token="):] if query.startswith("token=") else None
        assert token, "%s: no access token in %r" % (what, address)
        host, port = address[4:].rsplit(":", 1)
        sock = socket.create_connection((host, int(port)), timeout=60)
    else:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(address[5:])
    peer = SocketPeer(sock)
    peer.initialize([project], options={"token": token} if token else {})
    status = peer.request("sysimage/status", {"project": project}, timeout=120)
    assert status["result"]["project"] == project, status
    answer = peer.request("shutdown", timeout=120)
    assert "result" in answer and answer["result"] is None, answer
    peer.notify("exit")
    sock.close()


def serve_listening(what, server_bin, address, env, project):
    """`serve --listen`: a session, then SIGTERM ends the server (exit 0)."""
    start = time.monotonic()
    p = subprocess.Popen([server_bin, "serve", "--listen", address], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()  # "listening on <address>", after "token file <path>" for TCP
        if line.startswith("token file "):
            line = p.stdout.readline()  # "listening on tcp:HOST:PORT?token=TOKEN"
        assert line.startswith("listening on "), "%s: %r" % (what, line)
        socket_session(what, line.split(" ", 2)[2].strip(), project)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    check_clean(what, err)
    assert p.returncode == 0, "%s: exit %d\n%s" % (what, p.returncode, err[-6000:])
    passed(what, time.monotonic() - start)


def main():
    server_bin, repo = sys.argv[1], sys.argv[2]
    julia = julia_path(repo)
    tmp = tempfile.mkdtemp(prefix="cli-modes-")
    project = os.path.join(tmp, "Tiny")
    os.makedirs(project)
    # One standard library, from the Julia here: no registry, no network. The manifest is what Pkg
    # of Julia 1.5 writes for it (tests/fixtures/manifests/julia153_PkgApp_Manifest.before.toml).
    open(os.path.join(project, "Project.toml"), "w").write(
        'name = "Tiny"\n\n[deps]\nPrintf = "de0858da-6303-5e67-8744-51eddeeeb8d7"\n')
    open(os.path.join(project, "Manifest.toml"), "w").write(
        "# This file is machine-generated - editing it directly is not advised\n\n"
        '[[Printf]]\ndeps = ["Unicode"]\nuuid = "de0858da-6303-5e67-8744-51eddeeeb8d7"\n\n'
        '[[Unicode]]\nuuid = "4ec0a83e-493e-50e2-b9ac-8f72acf5a8f5"\n')
    workload = os.path.join(project, "workload.jl")
    open(workload, "w").write('using Printf\n@printf("%5.2f %s\\n", 3.14159, "tiny")\n')
    runtime = os.path.join(tmp, "xdg-runtime")  # where serve --listen tcp writes its token file
    os.makedirs(runtime, mode=0o700)
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"), JULIA=julia,
               JULIA_DEPOT_PATH=os.path.join(tmp, "depot"), XDG_RUNTIME_DIR=runtime)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env.pop("JULIA_PROJECT", None)
    cli = [server_bin]

    run("record", cli + ["record", "--project", project, "--", julia, "--startup-file=no", "--project=" + project,
                         workload], env)
    status = run("status", cli + ["status", "--project", project], env)
    assert project in status and "Tiny" in status, status

    built = run("build (real Julia)", cli + ["build", "--project", project], env)
    assert "sysimage-" in built, built
    status_json = run("status --json", cli + ["status", "--project", project, "--json"], env)
    assert project in status_json, status_json
    bench = run("bench --runs 1", cli + ["bench", "--project", project, "--workload", workload, "--runs", "1"], env)
    assert bench.strip(), "bench printed nothing"

    # Interrupted: a forced build once Julia runs, a measurement once it started.
    interrupt("build --force, Ctrl-C", cli + ["build", "--project", project, "--force"], env,
              lambda out: any(m in out for m in ("Starting Julia", "Loading", "Replaying", "Compiling")), expect=130)
    interrupt("bench, Ctrl-C", cli + ["--log-level", "info", "bench", "--project", project, "--runs", "5"], env,
              lambda out: "measuring TTFX" in out, expect=130)

    # serve over stdio: a session to the end, and one that leaves while a build runs.
    start = time.monotonic()
    srv = Server(server_bin, env=env, log_path=os.path.join(tmp, "serve.log"))
    try:
        srv.initialize([project])
        assert srv.request("sysimage/status", {"project": project})["result"]["project"] == project
        assert srv.shutdown() == 0
    finally:
        srv.kill()
    check_clean("serve (stdio)", open(os.path.join(tmp, "serve.log"), errors="replace").read())
    passed("serve (stdio)", time.monotonic() - start)

    start = time.monotonic()
    log = os.path.join(tmp, "serve-build.log")
    srv = Server(server_bin, env=env, log_path=log)
    try:
        srv.initialize([project])
        srv.send({"jsonrpc": "2.0", "id": 900, "method": "sysimage/build",
                  "params": {"project": project, "options": {"force": True}}})
        wait_for(lambda: "building sysimage" in open(log, errors="replace").read(), 120, "the build to start")
        assert srv.request("shutdown")["result"] is None
        srv.notify("exit")
        code = srv.proc.wait(timeout=120)
    finally:
        srv.kill()
    check_clean("serve (stdio), exit during a build", open(log, errors="replace").read())
    assert code == 0, "exit %d during a build:\n%s" % (code, open(log, errors="replace").read()[-4000:])
    passed("serve (stdio), exit during a build", time.monotonic() - start)

    serve_listening("serve --listen tcp", server_bin, "tcp:127.0.0.1:0", env, project)
    serve_listening("serve --listen unix", server_bin, "unix:" + os.path.join(tmp, "s.sock"), env, project)

    print("PASS: %d runs of sysimage-server ended cleanly under the sanitizers" % len(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
