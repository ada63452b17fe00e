#!/usr/bin/env python3
"""Real Pkg test (real Julia, offline local registry): Pkg.update of a package baked into the image
turns the project `unsafe` with exactly that change within 1 s, offers the rebuild once, and drops
-J from sysimage/replCommand; Pkg.add of a new direct dependency turns it `suggested`.

usage: test_pkg_staleness.py <sysimage-server> <repo>
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from pkgenv import LocalRegistry, run_julia, write_image_metadata  # noqa: E402
from rpc import Server  # noqa: E402
from testutil import julia_path  # noqa: E402


def main():
    server_bin, repo = sys.argv[1], sys.argv[2]
    julia = julia_path(repo)
    tmp = tempfile.mkdtemp(prefix="pkg-test-")
    depot = os.path.join(tmp, "depot")
    registry = LocalRegistry(depot, os.path.join(tmp, "src"))
    registry.add_package("Foo", ["0.1.0", "0.2.0"])
    registry.add_package("Bar", ["1.0.0"])
    project = os.path.join(tmp, "PkgApp")
    os.makedirs(project)
    open(os.path.join(project, "Project.toml"), "w").write('name = "PkgApp"\n')
    run_julia(julia, depot, project, 'using Pkg; Pkg.add(PackageSpec(name="Foo", version="0.1.0"))')
    manifest = os.path.join(project, "Manifest.toml")
    assert 'version = "0.1.0"' in open(manifest).read()

    env = dict(os.environ, SYSIMAGE_SERVER_STATE_DIR=os.path.join(tmp, "state"), JULIA_DEPOT_PATH=depot)
    log = os.path.join(tmp, "server.log")
    srv = Server(server_bin, env=env, log_path=log)
    try:
        srv.initialize([project], capabilities={"window": {"showMessage": {}, "workDoneProgress": True}})
        status = srv.wait_notification("sysimage/statusChanged", lambda p: p["project"] == project, timeout=60)
        assert status["staleness"]["state"] == "none", status["staleness"]
        store = status["store"]["dir"]
        image = os.path.join(store, "sysimage-20260101T000000Z.so")
        write_image_metadata(image, manifest, status["julia"]["version"], ["Foo"], julia)
        up = srv.wait_notification("sysimage/statusChanged", lambda p: p["staleness"]["state"] == "upToDate", timeout=5)
        assert up is not None, "the published image was not picked up"
        cmd = srv.request("sysimage/replCommand", {"project": project})["result"]
        assert "-J" in cmd["args"] and image in cmd["args"], cmd["args"]

        # Pkg.update through real Julia: Foo 0.1.0 -> 0.2.0.
        run_julia(julia, depot, project, 'using Pkg; Pkg.update()')
        changed_at = os.stat(manifest).st_mtime
        unsafe = srv.wait_notification("sysimage/statusChanged", lambda p: p["staleness"]["state"] == "unsafe", timeout=5)
        latency = time.time() - changed_at
        assert unsafe is not None, "no unsafe status after Pkg.update"
        diff = unsafe["staleness"]["diff"]
        assert [(d["name"], d["change"], d["old"], d["new"]) for d in diff] == [("Foo", "upgraded", "0.1.0", "0.2.0")], diff
        assert latency < 1.5, "the change took %.2f s to reach the client" % latency
        cmd = srv.request("sysimage/replCommand", {"project": project})["result"]
        assert "-J" not in cmd["args"], cmd["args"]
        # One rebuild offer, answered "Not now"; no second offer for the same change set.
        deadline = time.time() + 5
        while not srv.server_requests and time.time() < deadline:
            srv.channel.read_message(0.2) and None
            m = srv.channel.read_message(0.1)
            if m:
                srv._keep(m)
        offers = [r for r in srv.server_requests if r["method"] == "window/showMessageRequest"]
        assert len(offers) == 1, srv.server_requests
        assert "Foo 0.1.0 → 0.2.0" in offers[0]["params"]["message"], offers[0]["params"]["message"]
        assert [a["title"] for a in offers[0]["params"]["actions"]] == ["Rebuild", "Not now", "Don't ask for this project"]
        srv.send({"jsonrpc": "2.0", "id": offers[0]["id"], "result": {"title": "Not now"}})
        srv.server_requests.clear()
        os.utime(manifest)  # a touch without a change: no new offer
        time.sleep(1.5)
        srv.request("sysimage/status", {"project": project})
        assert not [r for r in srv.server_requests if r["method"] == "window/showMessageRequest"], srv.server_requests

        # An image for the new state, then Pkg.add of a new direct dependency -> suggested.
        image2 = os.path.join(store, "sysimage-20260102T000000Z.so")
        write_image_metadata(image2, manifest, status["julia"]["version"], ["Foo"], julia)
        assert srv.wait_notification("sysimage/statusChanged", lambda p: p["staleness"]["state"] == "upToDate", timeout=5)
        run_julia(julia, depot, project, 'using Pkg; Pkg.add("Bar")')
        suggested = srv.wait_notification("sysimage/statusChanged", lambda p: p["staleness"]["state"] == "suggested",
                                          timeout=5)
        assert suggested is not None, "no suggested status after Pkg.add"
        assert any("Bar" in r for r in suggested["staleness"]["reasons"]), suggested["staleness"]
        cmd = srv.request("sysimage/replCommand", {"project": project})["result"]
        assert "-J" in cmd["args"] and image2 in cmd["args"], "a suggested image is still used: %r" % cmd["args"]

        # A half-written manifest keeps the last good state and reports where it is broken.
        good = open(manifest).read()
        open(manifest, "w").write(good[: len(good) // 2] + "\n[[deps.Broken\nversion = ")
        broken = srv.wait_notification("sysimage/statusChanged",
                                       lambda p: p["staleness"].get("manifestError") is not None, timeout=5)
        assert broken is not None and broken["staleness"]["manifestError"]["line"] > 0, broken
        assert broken["staleness"]["state"] == "suggested", broken["staleness"]
        open(manifest, "w").write(good)
        fixed = srv.wait_notification("sysimage/statusChanged",
                                      lambda p: p["staleness"].get("manifestError") is None, timeout=5)
        assert fixed is not None
        assert srv.shutdown() == 0
        print("PASS: unsafe after Pkg.update in %.2f s with the exact diff, one offer, -J dropped; suggested after Pkg.add"
              % latency)
        return 0
    except Exception:
        print("--- server log:\n" + open(log, errors="replace").read()[-4000:])
        raise
    finally:
        srv.kill()


if __name__ == "__main__":
    sys.exit(main())
