"""A small JSON-RPC 2.0 / LSP-framing client for tests that drive the real sysimage-server."""
import json
import os
import re
import select
import signal
import subprocess
import time


def frame(obj):
    body = json.dumps(obj).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Channel:
    """One framed byte stream to the server: `write(bytes)` sends, `fileno` is read."""

    def __init__(self, write, fileno, close_write):
        self.write = write
        self.fileno = fileno
        self.close_write = close_write
        self.buffer = b""
        self.eof = False

    def send(self, data):
        self.write(data)

    def read_message(self, timeout):
        """The next message, or None after `timeout` seconds or at end of stream."""
        deadline = time.monotonic() + timeout
        while True:
            m = self._take()
            if m is not None:
                return m
            if self.eof:
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            r, _, _ = select.select([self.fileno], [], [], remaining)
            if r:
                chunk = os.read(self.fileno, 65536)
                if not chunk:
                    self.eof = True
                self.buffer += chunk

    def _take(self):
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        header = self.buffer[:end].decode("ascii", "replace")
        m = re.search(r"Content-Length:\s*(\d+)", header, re.I)
        if not m:
            raise RuntimeError("server sent a frame without Content-Length: %r" % header)
        n = int(m.group(1))
        if len(self.buffer) < end + 4 + n:
            return None
        body = self.buffer[end + 4:end + 4 + n]
        self.buffer = self.buffer[end + 4 + n:]
        return json.loads(body)


class Peer:
    """One JSON-RPC session over a Channel, with request/notification helpers."""

    def __init__(self, channel):
        self.channel = channel
        self.next_id = 1
        self.notifications = []
        self.server_requests = []

    def send(self, obj):
        self.channel.send(frame(obj))

    def notify(self, method, params=None):
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def request(self, method, params=None, timeout=60):
        """Sends a request and returns its response (result or error object), keeping notifications."""
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self.channel.read_message(deadline - time.monotonic())
            if m is None:
                break
            if m.get("id") == rid and "method" not in m:
                return m
            self._keep(m)
        raise TimeoutError("no answer to %s within %s s" % (method, timeout))

    def _keep(self, m):
        if "method" in m and "id" in m:
            self.server_requests.append(m)
        elif "method" in m:
            self.notifications.append(m)

    def wait_notification(self, method, predicate=lambda p: True, timeout=10):
        """Returns the params of the first (kept or new) `method` notification satisfying `predicate`."""
        deadline = time.monotonic() + timeout
        while True:
            for i, n in enumerate(self.notifications):
                if n["method"] == method and predicate(n.get("params")):
                    del self.notifications[:i + 1]
                    return n.get("params")
            self.notifications.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            m = self.channel.read_message(remaining)
            if m is None:
                return None
            self._keep(m)

    def initialize(self, folders=(), options=None, capabilities=None):
        r = self.request("initialize", {
            "processId": os.getpid(),
            "capabilities": capabilities or {},
            "workspaceFolders": [{"uri": "file://" + f, "name": os.path.basename(f)} for f in folders],
            "initializationOptions": options or {},
        })
        assert "result" in r, r
        self.notify("initialized", {})
        return r["result"]

    def shutdown(self):
        """shutdown, then exit: the session ends."""
        self.request("shutdown")
        self.notify("exit")


class SocketPeer(Peer):
    """A session over a connected socket (`serve --listen tcp:…` / `unix:…`)."""

    def __init__(self, sock):
        self.sock = sock
        super().__init__(Channel(sock.sendall, sock.fileno(), lambda: sock.shutdown(1)))


class Server(Peer):
    """The real binary over stdio (`binary args…`, in `cwd`)."""

    def __init__(self, binary, args=(), env=None, log_path=None, cwd=None):
        self.log_path = log_path
        self.proc = subprocess.Popen([binary] + list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(log_path, "ab") if log_path else subprocess.DEVNULL,
                                     env=env, cwd=cwd)
        super().__init__(Channel(lambda d: (self.proc.stdin.write(d), self.proc.stdin.flush()),
                                 self.proc.stdout.fileno(), lambda: self.proc.stdin.close()))

    def shutdown(self):
        """shutdown, exit; returns the process's exit code."""
        super().shutdown()
        return self.proc.wait(timeout=10)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
