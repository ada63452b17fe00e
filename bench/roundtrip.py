#!/usr/bin/env python3
"""Whole-process benchmark of the real sysimage-server binary. Prints figures next to their targets;
asserts nothing (exits non-zero only when the server does not answer at all).

  1. request latency over TCP loopback: initialize, then `sysimage/ping` sent open-loop at a fixed
     rate (default 1000/s for 5 s); p50 / p99 / max from write to response read.   target p99 < 1 ms
  2. start time: process start -> `initialize` answered over stdio, median of 20.  target < 50 ms
  3. idle RSS after initialize (VmRSS from /proc/PID/status).                      target < 30 MB

usage: bench/roundtrip.py [path/to/sysimage-server] [--rate N] [--seconds S] [--starts N]
"""
import argparse
import json
import os
import re
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
INITIALIZE = {"processId": None, "capabilities": {}, "clientInfo": {"name": "roundtrip.py"}}


def frame(message):
    body = json.dumps(message, separators=(",", ":")).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class FrameReader:
    """Splits a byte stream into JSON messages (LSP base framing)."""

    def __init__(self):
        self.buffer = b""

    def feed(self, data):
        self.buffer += data
        out = []
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return out
            m = re.search(rb"content-length:\s*(\d+)", self.buffer[:end], re.I)
            if not m:
                raise RuntimeError("frame without Content-Length: %r" % self.buffer[:end])
            n = int(m.group(1))
            if len(self.buffer) < end + 4 + n:
                return out
            out.append(json.loads(self.buffer[end + 4:end + 4 + n]))
            self.buffer = self.buffer[end + 4 + n:]


def read_until(fd, reader, predicate, timeout):
    """Reads messages from `fd` until one satisfies `predicate`; returns it (None on timeout/EOF)."""
    deadline = time.monotonic() + timeout
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not sel.select(remaining):
                return None
            data = os.read(fd, 65536)
            if not data:
                return None
            for m in reader.feed(data):
                if predicate(m):
                    return m
    finally:
        sel.close()


def is_response(id_):
    return lambda m: isinstance(m, dict) and m.get("id") == id_ and "method" not in m


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def verdict(ok):
    return "ok" if ok else "MISSED"


def latency(binary, env, tmp, rate, seconds):
    log = open(os.path.join(tmp, "tcp.log"), "wb")
    # XDG_RUNTIME_DIR: the server's token file goes to tmp.
    proc = subprocess.Popen([binary, "--listen", "tcp:127.0.0.1:0"], stdout=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, stderr=log, env=dict(env, XDG_RUNTIME_DIR=tmp))
    try:
        line = proc.stdout.readline().decode()  # "token file PATH"
        line = proc.stdout.readline().decode()
        m = re.search(r"listening on tcp:127\.0\.0\.1:(\d+)\?token=(\w+)", line)
        if not m:
            raise RuntimeError("server did not print its port and token: %r" % line)
        sock = socket.create_connection(("127.0.0.1", int(m.group(1))), timeout=10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = FrameReader()
        params = dict(INITIALIZE, initializationOptions={"token": m.group(2)})
        sock.sendall(frame({"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": params}))
        if read_until(sock.fileno(), reader, is_response("init"), 10) is None:
            raise RuntimeError("no answer to initialize over TCP")
        sock.sendall(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        # Let start-up work (Julia probe, first status) settle, then warm up.
        read_until(sock.fileno(), reader, lambda m: False, 1.5)
        for i in range(200):
            sock.sendall(frame({"jsonrpc": "2.0", "id": "w%d" % i, "method": "sysimage/ping", "params": {}}))
            read_until(sock.fileno(), reader, is_response("w%d" % i), 5)

        sock.setblocking(False)
        sel = selectors.DefaultSelector()
        sel.register(sock, selectors.EVENT_READ)
        total = int(rate * seconds)
        interval = 1.0 / rate
        sent_at = {}
        latencies = []
        start = time.perf_counter()
        next_i = 0
        deadline = start + seconds + 5
        while (next_i < total or len(latencies) < total) and time.perf_counter() < deadline:
            now = time.perf_counter()
            if next_i < total and now >= start + next_i * interval:
                sent_at[next_i] = time.perf_counter()
                sock.sendall(frame({"jsonrpc": "2.0", "id": next_i, "method": "sysimage/ping", "params": {}}))
                next_i += 1
                continue
            wait = (start + next_i * interval - now) if next_i < total else 0.05
            for _ in sel.select(max(0.0, wait)):
                data = sock.recv(1 << 20)
                received = time.perf_counter()
                if not data:
                    raise RuntimeError("server closed the connection")
                for msg in reader.feed(data):
                    if isinstance(msg, dict) and isinstance(msg.get("id"), int) and msg["id"] in sent_at:
                        latencies.append(received - sent_at.pop(msg["id"]))
        elapsed = time.perf_counter() - start
        sock.setblocking(True)
        sock.sendall(frame({"jsonrpc": "2.0", "id": "bye", "method": "shutdown"}))
        read_until(sock.fileno(), reader, is_response("bye"), 5)
        sock.sendall(frame({"jsonrpc": "2.0", "method": "exit"}))
        sock.close()
        return total, latencies, elapsed
    finally:
        proc.terminate()
        proc.wait(10)


def start_times(binary, env, tmp, starts):
    samples = []
    rss = None
    for n in range(starts):
        log = open(os.path.join(tmp, "stdio-%d.log" % n), "wb")
        t0 = time.perf_counter()
        proc = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env)
        proc.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": INITIALIZE}))
        proc.stdin.flush()
        reader = FrameReader()
        answer = read_until(proc.stdout.fileno(), reader, is_response(1), 10)
        t1 = time.perf_counter()
        if answer is None:
            proc.kill()
            raise RuntimeError("no answer to initialize over stdio (start %d)" % n)
        samples.append(t1 - t0)
        proc.stdin.write(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        proc.stdin.flush()
        if n == 0:
            # Idle RSS: after initialize and the start-up work it triggers have settled.
            read_until(proc.stdout.fileno(), reader, lambda m: False, 2.0)
            rss = rss_kib(proc.pid)
        proc.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        proc.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
        proc.stdin.flush()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return samples, rss


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary", nargs="?", default=os.path.join(HERE, "..", "build", "bin", "sysimage-server"))
    parser.add_argument("--rate", type=float, default=1000.0, help="ping requests per second")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the latency run")
    parser.add_argument("--starts", type=int, default=20, help="server starts to time")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="roundtrip-")
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"))

    total, lat, elapsed = latency(args.binary, env, tmp, args.rate, args.seconds)
    lat_ms = sorted(x * 1000 for x in lat)
    p50, p99, worst = percentile(lat_ms, 50), percentile(lat_ms, 99), (lat_ms[-1] if lat_ms else float("nan"))
    print("latency, TCP loopback, sysimage/ping at %g req/s for %g s: %d sent, %d answered in %.2f s"
          % (args.rate, args.seconds, total, len(lat), elapsed))
    print("  p50 %.3f ms   p99 %.3f ms   max %.3f ms      target p99 < 1 ms: %s"
          % (p50, p99, worst, verdict(p99 < 1.0)))

    starts, rss = start_times(args.binary, env, tmp, args.starts)
    starts_ms = sorted(x * 1000 for x in starts)
    median = statistics.median(starts_ms)
    print("start -> initialize answered, stdio, %d starts: median %.1f ms (min %.1f, max %.1f)   target < 50 ms: %s"
          % (len(starts_ms), median, starts_ms[0], starts_ms[-1], verdict(median < 50)))
    print("idle RSS after initialize: %.1f MB (VmRSS)      target < 30 MB: %s"
          % (rss / 1024.0, verdict(rss / 1024.0 < 30)))
    print("(server logs in %s)" % tmp)
    return 0 if len(lat) == total else 1


if __name__ == "__main__":
    sys.exit(main())
