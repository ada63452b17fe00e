#!/usr/bin/env python3
"""The demo (see scripts/demo): an editor's session with sysimage-server on examples/fl-insurance."""
import os
import pty
import select
import subprocess
import sys
import tempfile
import time

server_bin, repo = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(repo, "tests", "support"))
from rpc import Server  # noqa: E402

project = os.path.join(repo, "examples", "fl-insurance")
runs = int(os.environ.get("DEMO_RUNS", "5"))
tty = sys.stdout.isatty()


def say(text):
    print(text, flush=True)


def run_repl(cmd, code, timeout=300):
    """Runs the server's REPL command in a pseudo-terminal, types `code`, then exits: as a user would."""
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ, **cmd["env"])
        os.chdir(project)
        os.execve(cmd["command"], [cmd["command"]] + cmd["args"], env)
    out, typed, deadline = b"", False, time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        if not typed and b"julia>" in out:
            os.write(fd, (code + "\rexit()\r").encode())
            typed = True
    os.waitpid(pid, 0)
    return out.decode("utf-8", "replace")


def main():
    t_start = time.monotonic()
    state = tempfile.mkdtemp(prefix="sysimage-demo-")
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=state)
    say("== Julia Sysimage Server demo on %s" % project)
    srv = Server(server_bin, env=env, log_path=os.path.join(state, "server.log"))
    info = srv.initialize([project], capabilities={"window": {"workDoneProgress": True, "showMessage": {}}})
    say("server: %s %s (protocol %d)" % (info["serverInfo"]["name"], info["serverInfo"]["version"],
                                        info["capabilities"]["experimental"]["sysimage"]["protocolVersion"]))
    status = srv.wait_notification("sysimage/statusChanged", timeout=120)
    if status["julia"].get("error"):
        say("Julia is not usable: " + status["julia"]["error"])
        return 2
    say("julia:  %s (%s)" % (status["julia"]["version"], status["julia"]["path"]))
    say("project: %s, %d statements recorded so far" % (status["name"], status["statements"]["total"]))

    say("\n== 1. Recording: a REPL started through the server runs the workload")
    cmd = srv.request("sysimage/replCommand", {"project": project})["result"]
    say("$ " + " ".join([cmd["command"]] + cmd["args"]))
    run_repl(cmd, 'include("workload.jl")')
    recorded = srv.wait_notification("sysimage/statusChanged", lambda p: p["statements"]["total"] > 0, timeout=30)
    status = srv.request("sysimage/status", {"project": project})["result"]
    say("recorded %d precompile statements (%d refer to Main and are left out of builds)"
        % (status["statements"]["total"], status["statements"]["excluded"]))

    say("\n== 2. Building the sysimage in the background (work done progress)")
    srv.send({"jsonrpc": "2.0", "id": 9001, "method": "sysimage/build",
              "params": {"project": project, "workDoneToken": "demo-build"}})
    result, last, shown_pct = None, "", -10
    t_build = time.monotonic()
    # The compile phase can go minutes without a new percentage on a busy machine: wait for the
    # answer as long as the server is alive, up to an hour.
    deadline = t_build + 3600
    while result is None:
        m = srv.channel.read_message(max(1.0, min(60.0, deadline - time.monotonic())))
        if m is None and not srv.channel.eof and time.monotonic() < deadline:
            continue
        if m is None:
            say("no answer from the build")
            return 1
        if m.get("method") == "$/progress" and m["params"]["token"] == "demo-build":
            v = m["params"]["value"]
            pct = v.get("percentage", max(shown_pct, 0) if v["kind"] == "end" else 0)
            message = v.get("message", "")
            line = "[%-30s] %3d%%  %s" % ("#" * (pct * 30 // 100), pct, message)
            phase = message.rstrip("0123456789/() ")
            if tty:
                sys.stdout.write("\r\033[2K" + line)
                sys.stdout.flush()
            elif phase != last or pct >= shown_pct + 10 or v["kind"] == "end":
                say(line)  # piped: one line per phase and per 10 %
                shown_pct = pct
            last = phase
        elif m.get("id") == 9001:
            result = m
    if tty:
        print()
    build_seconds = time.monotonic() - t_build
    if "error" in result:
        say("build failed: %s" % result["error"]["message"])
        for line in result["error"].get("data", {}).get("logTail", [])[-15:]:
            say("  | " + line)
        return 1
    b = result["result"]
    say("image: %s (%d statements replayed, %d failed to replay)" % (b["image"], b["statementsOk"], b["statementsFailed"]))

    say("\n== 3. Measuring time to first execution (%d fresh processes per variant)" % runs)
    m = srv.request("sysimage/measure", {"project": project, "workload": os.path.join(project, "workload.jl"),
                                         "runs": runs}, timeout=1200)["result"]
    cmd = srv.request("sysimage/replCommand", {"project": project})["result"]
    srv.shutdown()
    rows = [("bare `julia -e 0`", m["bare"]),
            ("workload, default sysimage", m["withoutImage"]),
            ("workload, project sysimage", m["withImage"])]
    say("")
    say("%-30s %9s %9s %9s" % ("", "median s", "min s", "max s"))
    for name, t in rows:
        say("%-30s %9.2f %9.2f %9.2f" % (name, t["median"], t["min"], t["max"]))
    say("%-30s %9.2fx" % ("speedup", m["speedup"]))
    say("%-30s %9.0f s" % ("sysimage build time", build_seconds))
    say("%-30s %9.0f s" % ("whole demo", time.monotonic() - t_start))
    say("\nThe next REPL the editor starts uses the image: %s" % " ".join(cmd["args"][:2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
