#!/usr/bin/env python3
"""`serve --listen tcp:…` requires its access token (docs/protocol.md, "Access token").

Through the real binary: the token file (path, mode 0600 in a 0700 directory, the printed token),
TCP sessions without a token, with a wrong one and with one of the wrong type are refused with
-32000 and closed, and never start anything: their `juliaPath` is a script that leaves a trace file
when run, and `stateDir` a directory that must not appear. The right token is admitted, and the same
script then does run (so the trace check can fail). The log names each refusal but never a token.
`--token-file`: an existing 0600 file is used, one readable by others is refused, a missing one is
written. The default token file is removed when the server stops. Processes the server starts
inherit none of its sockets.

usage: test_tcp_token.py <sysimage-server>
"""
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from rpc import Channel, frame  # noqa: E402
from testutil import wait_for  # noqa: E402

ACCESS_DENIED = -32000


def start(server, tmp, env, *args):
    log = os.path.join(tmp, "server.log")
    proc = subprocess.Popen([server, "--log-file", log, "serve"] + list(args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    lines = []
    while True:
        line = proc.stdout.readline().decode()
        if not line:
            raise AssertionError("server exited before listening: %s" % proc.stderr.read().decode())
        lines.append(line.rstrip("\n"))
        m = re.match(r"listening on tcp:127\.0\.0\.1:(\d+)\?token=(\S+)$", lines[-1])
        if m:
            return proc, lines, int(m.group(1)), m.group(2)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s, Channel(s.sendall, s.fileno(), lambda: s.shutdown(socket.SHUT_WR))


def initialize(options, rid=1):
    return {"jsonrpc": "2.0", "id": rid, "method": "initialize",
            "params": {"processId": None, "capabilities": {}, "initializationOptions": options}}


def refused(port, options, project, what):
    """Sends initialize with `options`, `initialized` and a status request at once, as a client
    that does not wait would; expects only the refusal, then the end of the stream."""
    s, ch = connect(port)
    s.sendall(frame(initialize(options)) + frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
              + frame({"jsonrpc": "2.0", "id": 2, "method": "sysimage/status", "params": {"project": project}}))
    answer = ch.read_message(10)
    assert answer is not None, "%s: no answer to initialize" % what
    assert answer.get("id") == 1 and answer.get("error", {}).get("code") == ACCESS_DENIED, "%s: %s" % (what, answer)
    assert "initializationOptions.token" in answer["error"]["message"], answer
    rest = []
    while True:
        m = ch.read_message(10)
        if m is None:
            break
        rest.append(m)
    assert ch.eof, "%s: the server did not close the connection" % what
    served = [m for m in rest if "result" in m or m.get("method")]
    assert not served, "%s: served after the refusal: %s" % (what, json.dumps(served))
    s.close()


def main():
    server = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="tcp-token-")
    runtime = os.path.join(tmp, "run")
    os.mkdir(runtime, 0o700)
    env = dict(os.environ, XDG_RUNTIME_DIR=runtime, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"))
    env.pop("JULIA", None)
    project = os.path.join(tmp, "project")
    os.mkdir(project)
    with open(os.path.join(project, "Project.toml"), "w") as f:
        f.write('name = "P"\n')

    def attack(name):
        """initializationOptions naming a Julia that leaves <tmp>/<name>.ran when run, and a state dir."""
        script = os.path.join(tmp, name + "-julia")
        with open(script, "w") as f:
            # Also lists the descriptors it inherited above stdio, as "fd N -> target" lines.
            f.write("#!/bin/sh\nout='%s'\necho \"args $*\" >> \"$out\"\n"
                    "for fd in /proc/$$/fd/*; do n=${fd##*/}; [ \"$n\" -gt 2 ] && echo \"fd $n -> $(readlink $fd)\" >> \"$out\"; done\n"
                    "exit 1\n" % os.path.join(tmp, name + ".ran"))
        os.chmod(script, 0o755)
        return {"juliaPath": script, "stateDir": os.path.join(tmp, name + "-state")}

    def left_traces(name):
        return [p for p in (os.path.join(tmp, name + ".ran"), os.path.join(tmp, name + "-state")) if os.path.exists(p)]

    proc, lines, port, token = start(server, tmp, env, "--listen", "tcp:127.0.0.1:0")
    try:
        # The token and its file.
        assert re.fullmatch(r"[0-9a-f]{64}", token), token
        token_file = os.path.join(runtime, "sysimage-server", "tcp-127.0.0.1-%d.token" % port)
        assert lines[0] == "token file " + token_file, lines
        st = os.stat(token_file)
        assert stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
        assert stat.S_IMODE(os.stat(os.path.dirname(token_file)).st_mode) == 0o700
        assert open(token_file).read() == token + "\n"

        # Refused: no token, a wrong one (one character off), one of the wrong type.
        wrong = token[:-1] + ("0" if token[-1] != "0" else "1")
        cases = {
            "none": attack("none"),
            "wrong": dict(attack("wrong"), token=wrong),
            "empty": dict(attack("empty"), token=""),
            "listed": dict(attack("listed"), token=[token]),
        }
        for name, options in cases.items():
            refused(port, options, project, name)
        refused(port, None, project, "no initializationOptions")

        # Admitted: the right token, and then such a juliaPath does run: the trace check can fail.
        s, ch = connect(port)
        s.sendall(frame(initialize(dict(attack("admitted"), token=token))))
        answer = ch.read_message(10)
        assert answer and answer.get("result", {}).get("serverInfo", {}).get("name") == "sysimage-server", answer
        s.sendall(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
                  + frame({"jsonrpc": "2.0", "id": 2, "method": "sysimage/status", "params": {"project": project}}))
        ran = os.path.join(tmp, "admitted.ran")
        wait_for(lambda: os.path.exists(ran) and "args " in open(ran).read(), 30, "the admitted session to run its juliaPath")
        s.close()
        # Processes the server starts inherit none of its sockets (listener, client connections):
        # else a client would not see its session end while such a process outlives the server.
        inherited = [line for line in open(ran).read().splitlines() if line.startswith("fd ") and "socket:" in line]
        assert not inherited, "the server's sockets leak into the processes it starts: %s" % inherited
        # The refused sessions came first: anything they had started would have run by now.
        for name in cases:
            assert not left_traces(name), "the refused session '%s' left %s" % (name, left_traces(name))

        # The log says why each was refused, and holds no token.
        log = open(os.path.join(tmp, "server.log")).read()
        for reason in ("no access token", "a wrong access token", "an access token that is not a string"):
            assert "refused: initialize with " + reason in log, reason + " not logged:\n" + log
        assert log.count("refused: initialize") == 5, log
        assert token not in log and wrong not in log, "a token is in the log"

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert not os.path.exists(token_file), "the default token file outlived the server"

        # --token-file: a missing file is written (0600) and kept; an existing 0600 one is used.
        given = os.path.join(tmp, "given.token")
        proc, lines, port, token2 = start(server, tmp, env, "--listen", "tcp:127.0.0.1:0", "--token-file", given)
        assert lines[0] == "token file " + given, lines
        assert stat.S_IMODE(os.stat(given).st_mode) == 0o600
        assert open(given).read() == token2 + "\n" and token2 != token
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert os.path.exists(given), "--token-file was removed at exit"
        mine = "my-own-token-for-the-editor-config-0123456789"
        with open(given, "w") as f:
            f.write(mine + "\n")
        proc, lines, port, token3 = start(server, tmp, env, "--listen", "tcp:127.0.0.1:0", "--token-file", given)
        assert token3 == mine, token3
        s, ch = connect(port)
        s.sendall(frame(initialize({"token": mine})))
        answer = ch.read_message(10)
        assert answer and "result" in answer, answer
        s.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0

        # One that others can read is refused, with what to do.
        os.chmod(given, 0o644)
        r = subprocess.run([server, "serve", "--listen", "tcp:127.0.0.1:0", "--token-file", given], env=env,
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 2 and "chmod 600" in r.stderr and mine not in r.stderr + r.stdout, r
        # A Unix socket needs no token file.
        r = subprocess.run([server, "serve", "--listen", "unix:" + os.path.join(tmp, "s.sock"), "--token-file", given],
                           env=env, capture_output=True, text=True, timeout=30)
        assert r.returncode == 2 and "--token-file is for TCP" in r.stderr, r
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)
    print("PASS tcp token: refused without/with a wrong token, nothing started; admitted with it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
