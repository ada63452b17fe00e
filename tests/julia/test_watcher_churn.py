#!/usr/bin/env python3
"""Watcher churn against the real server: atomic-rename save, truncate + slow write, delete and
re-create, editor swap files, and a burst of 100 writes each give exactly the expected
sysimage/statusChanged notifications (debounced at 300 ms).

usage: test_watcher_churn.py <sysimage-server> <repo>
"""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from rpc import Server  # noqa: E402


def collect(srv, seconds):
    """statusChanged notifications arriving within `seconds`."""
    out, deadline = [], time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return out
        m = srv.channel.read_message(remaining)
        if m is None:
            return out
        if m.get("method") == "sysimage/statusChanged":
            out.append(m["params"])


def main():
    server_bin, repo = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="churn-test-")
    project = os.path.join(tmp, "fl-insurance")
    shutil.copytree(os.path.join(repo, "examples", "fl-insurance"), project)
    manifest = os.path.join(project, "Manifest.toml")
    good = open(manifest).read()
    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"))
    log = os.path.join(tmp, "server.log")
    srv = Server(server_bin, env=env, log_path=log)
    results = []
    try:
        srv.initialize([project])
        assert srv.wait_notification("sysimage/statusChanged", timeout=60)
        collect(srv, 1.0)

        def case(name, action, expected, check=None):
            action()
            got = collect(srv, 1.5)
            assert len(got) == expected, "%s: %d notifications, expected %d" % (name, len(got), expected)
            if check and got:
                check(got[-1])
            results.append("%s: %d" % (name, len(got)))

        n = [0]

        def content():
            n[0] += 1
            return good + "\n# edit %d\n" % n[0]

        def atomic_save():
            tmpfile = manifest + ".tmp~"
            open(tmpfile, "w").write(content())
            os.replace(tmpfile, manifest)
        case("atomic rename save", atomic_save, 1)

        def slow_write():
            f = open(manifest, "w")  # truncate
            text = content()
            f.write(text[: len(text) // 2])
            f.flush()
            time.sleep(0.1)
            f.write(text[len(text) // 2:])
            f.close()
        case("truncate + slow write", slow_write, 1, lambda s: s["staleness"].get("manifestError") is None or
             (_ for _ in ()).throw(AssertionError(s["staleness"])))

        def delete_recreate():
            os.remove(manifest)
            time.sleep(0.05)
            open(manifest, "w").write(content())
        case("delete and re-create", delete_recreate, 1)

        def swap_files():
            for name in (".Manifest.toml.swp", "Manifest.toml~", "4913", ".#Manifest.toml"):
                open(os.path.join(project, name), "w").write("x")
                os.remove(os.path.join(project, name))
        case("editor swap files only", swap_files, 0)

        def burst():
            for _ in range(100):
                open(manifest, "w").write(content())
        case("100 writes in a burst", burst, 1)

        case("no change (touch)", lambda: os.utime(manifest), 0)

        def broken():
            open(manifest, "w").write("[[deps.Statistics]]\nuuid = \"not a uuid\n")
        case("malformed manifest", broken, 1, lambda s: s["staleness"]["manifestError"]["line"] >= 1 or
             (_ for _ in ()).throw(AssertionError(s)))
        case("fixed again", lambda: open(manifest, "w").write(good), 1)
        assert srv.shutdown() == 0
        print("PASS: " + "; ".join(results))
        return 0
    except Exception:
        print("results so far: %s\n--- server log:\n%s" % (results, open(log, errors="replace").read()[-3000:]))
        raise
    finally:
        srv.kill()


if __name__ == "__main__":
    sys.exit(main())
