#!/usr/bin/env python3
"""Replays a JSON-RPC transcript (*.test) through the real sysimage-server binary.

Transcript format, one directive per line ('#' starts a comment line):
  args: <extra server arguments>          before the first message; ${TMP} is a fresh directory,
                                          ${SOURCE_DIR} the repository (also in --> lines)
  transport: stdio | tcp | unix           default stdio; tcp/unix start the server with --listen;
                                          over tcp ${TOKEN} is the access token the server printed
  --> <json>                              send one framed message (${VAR}s substituted)
  -->raw <text>                           send raw bytes; \\r \\n \\t \\xNN \\\\ escapes are decoded
  -->repeat <n> <text>                    send <text> (escapes decoded) n times
  <-- <json>                              next message must contain <json> (objects: subset; arrays:
                                          same length; the string "<any>" matches any value, and
                                          "<re:REGEX>" any string that REGEX finds a match in).
                                          window/logMessage and sysimage/statusChanged
                                          notifications are skipped unless expected.
  <-- none                                no message arrives within 0.5 s
  <-- closed                              the server closes this connection within 10 s (messages
                                          before that must be background notifications)
  <--count <n> <json>                     the next n messages each match <json>
  close-stdin                             close the server's input (stdio) or the socket's write side
  spawn-parent                            start a stand-in parent process; ${PARENT_PID} is its pid
  kill-parent                             kill it
  sleep: <seconds>
  exit: <code>                            the server exits with this code within 10 s
  connect                                 (tcp/unix) open another client connection; later --> / <--
                                          lines use the newest connection
  use: <n>                                switch to connection n (0-based)
Exit status 0 when every expectation holds; otherwise prints the failing line and the messages seen.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from rpc import Channel  # noqa: E402


# Notifications that arrive on their own schedule; skipped unless a line expects one of them.
BACKGROUND = ("window/logMessage", "$/logTrace", "sysimage/statusChanged")


class Failure(Exception):
    pass


def decode_escapes(text):
    return text.encode("utf-8").decode("unicode_escape").encode("latin-1")


def subset(expected, actual):
    if expected == "<any>":
        return True
    if isinstance(expected, str) and expected.startswith("<re:") and expected.endswith(">"):
        return isinstance(actual, str) and re.search(expected[4:-1], actual) is not None
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and subset(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            subset(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, float) or isinstance(actual, float):
        return isinstance(actual, (int, float)) and not isinstance(actual, bool) and expected == actual
    return type(expected) == type(actual) and expected == actual


def main():
    server, path = sys.argv[1], sys.argv[2]
    lines = open(path, encoding="utf-8").read().splitlines()
    tmp = tempfile.mkdtemp(prefix="transcript-")
    env_vars = {"TMP": tmp,
                "SOURCE_DIR": os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))}
    args, transport = [], "stdio"
    for line in lines:
        if line.startswith("args:"):
            args += line[5:].replace("${TMP}", tmp).split()
        elif line.startswith("transport:"):
            transport = line.split(":", 1)[1].strip()

    env = dict(os.environ)
    env.setdefault("SYSIMAGE_SERVER_STATE_DIR", os.path.join(tmp, "state"))
    address = None
    if transport == "tcp":
        args += ["--listen", "tcp:127.0.0.1:0"]
        env["XDG_RUNTIME_DIR"] = tmp  # the token file goes to <tmp>/sysimage-server/, not the user's
    elif transport == "unix":
        address = os.path.join(tmp, "s.sock")
        args += ["--listen", "unix:" + address]
    proc = subprocess.Popen([server] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=open(os.path.join(tmp, "server.log"), "wb"), env=env)
    channels = []

    def connect():
        if transport == "stdio":
            ch = Channel(lambda d: (proc.stdin.write(d), proc.stdin.flush()), proc.stdout.fileno(),
                         lambda: proc.stdin.close())
        else:
            if transport == "tcp":
                if "PORT" not in env_vars:
                    # "token file PATH", then "listening on tcp:127.0.0.1:PORT?token=TOKEN".
                    first = proc.stdout.readline().decode()
                    line = proc.stdout.readline().decode()
                    m = re.search(r"listening on tcp:127\.0\.0\.1:(\d+)\?token=(\w+)$", line.strip())
                    if not first.startswith("token file ") or not m:
                        raise Failure("server did not print its token file and port: %r %r" % (first, line))
                    env_vars["PORT"], env_vars["TOKEN"] = m.group(1), m.group(2)
                s = socket.create_connection(("127.0.0.1", int(env_vars["PORT"])), timeout=10)
            else:
                if not channels:
                    line = proc.stdout.readline().decode()
                    if "listening on unix:" not in line:
                        raise Failure("server did not report its socket: %r" % line)
                    mode = os.stat(address).st_mode & 0o777
                    if mode != 0o600:
                        raise Failure("unix socket mode is %o, expected 600" % mode)
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(address)
            ch = Channel(s.sendall, s.fileno(), lambda: s.shutdown(socket.SHUT_WR))
            ch.sock = s
        channels.append(ch)
        return ch

    current = connect()
    parent = None
    seen = []

    def subst(text):
        return re.sub(r"\$\{(\w+)\}", lambda m: env_vars.get(m.group(1), m.group(0)), text)

    def next_message(want_log=False, timeout=10):
        while True:
            m = current.read_message(timeout)
            if m is None:
                return None
            seen.append(m)
            if not want_log and isinstance(m, dict) and m.get("method") in BACKGROUND:
                continue
            return m

    try:
        for number, raw in enumerate(lines, 1):
            line = raw.strip()
            if not line or line.startswith("#") or line.startswith("args:") or line.startswith("transport:"):
                continue
            where = "%s:%d: %s" % (os.path.basename(path), number, line)
            if line.startswith("-->raw "):
                current.send(decode_escapes(subst(line[7:])))
            elif line.startswith("-->repeat "):
                _, n, text = line.split(" ", 2)
                current.send(decode_escapes(subst(text)) * int(n))
            elif line.startswith("--> "):
                body = subst(line[4:]).encode("utf-8")
                current.send(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            elif line == "<-- none":
                m = next_message(timeout=0.5)
                if m is not None:
                    raise Failure("%s\n  unexpected message: %s" % (where, json.dumps(m)))
            elif line == "<-- closed":
                while True:
                    m = next_message()
                    if m is None:
                        break
                    raise Failure("%s\n  unexpected message: %s" % (where, json.dumps(m)))
                if not current.eof:
                    raise Failure("%s\n  the connection is still open after 10 s" % where)
            elif line.startswith("<--count "):
                _, n, text = line.split(" ", 2)
                expected = json.loads(subst(text))
                for i in range(int(n)):
                    m = next_message()
                    if m is None or not subset(expected, m):
                        raise Failure("%s\n  message %d was: %s" % (where, i, json.dumps(m)))
            elif line.startswith("<-- "):
                expected = json.loads(subst(line[4:]))
                want_log = isinstance(expected, dict) and expected.get("method") in BACKGROUND
                m = next_message(want_log)
                if m is None:
                    raise Failure("%s\n  no message arrived (server exit code %s)" % (where, proc.poll()))
                if not subset(expected, m):
                    raise Failure("%s\n  got: %s" % (where, json.dumps(m)))
            elif line == "close-stdin":
                current.close_write()
            elif line == "spawn-parent":
                parent = subprocess.Popen(["sleep", "300"])
                env_vars["PARENT_PID"] = str(parent.pid)
            elif line == "kill-parent":
                parent.kill()
                parent.wait()
            elif line.startswith("sleep:"):
                time.sleep(float(line.split(":", 1)[1]))
            elif line == "connect":
                current = connect()
            elif line.startswith("use:"):
                current = channels[int(line.split(":", 1)[1])]
            elif line.startswith("exit:"):
                want = int(line.split(":", 1)[1])
                try:
                    code = proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    raise Failure("%s\n  server still running after 10 s" % where)
                if code != want:
                    raise Failure("%s\n  server exited with %d" % (where, code))
            else:
                raise Failure("%s\n  unknown directive" % where)
    except Failure as f:
        print("FAIL " + str(f))
        print("--- server log (%s):" % os.path.join(tmp, "server.log"))
        print(open(os.path.join(tmp, "server.log"), errors="replace").read()[-3000:])
        return 1
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        if parent and parent.poll() is None:
            parent.kill()
    print("PASS %s (%d messages)" % (os.path.basename(path), len(seen)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
