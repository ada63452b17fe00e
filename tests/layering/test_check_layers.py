#!/usr/bin/env python3
"""The layer check itself can fail: on a small tree with one include of each forbidden kind it
reports exactly those, and on the same tree without them it reports nothing.

usage: test_check_layers.py
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_layers import check  # noqa: E402

FILES = {
    "server/core/ok.h": '#include <string>\n#include "server/core/other.h"\n',
    "server/core/ok.cpp": '#include "server/platform/atomic_file.h"\n',  # allowed in core .cpp files
    "server/service/ok.cpp": '#include "server/julia/build_job.h"\n#include "server/platform/timer.h"\n',
    "server/lsp/ok.cpp": '#include "sysimage/protocol/jsonrpc.h"\n#include "server/service/status.h"\n',
    "server/app/ok.cpp": '#include "server/lsp/session.h"\n#include "server/service/sysimage_service.h"\n',
}
BAD = {
    "server/core/bad.h": '#include "server/platform/file_lock.h"\n#include <nlohmann/json.hpp>\n',
    "server/service/bad.cpp": '#include "server/lsp/session.h"\n',
    "server/app/bad.cpp": '#include "sysimage/protocol/sysimage.h"\n',
    "server/julia/bad.cpp": '  #  include "server/service/status.h"\n',
    "server/platform/bad.cpp": '#include "server/core/hash.h"\n',
}


def write(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


def main():
    with tempfile.TemporaryDirectory() as root:
        write(root, FILES)
        clean = check(root)
        assert clean == [], clean
        write(root, BAD)
        found = sorted(p.split(":")[0] + ":" + p.split(":")[1] for p in check(root))
        expected = sorted(["server/core/bad.h:1", "server/core/bad.h:2", "server/service/bad.cpp:1",
                           "server/app/bad.cpp:1", "server/julia/bad.cpp:1", "server/platform/bad.cpp:1"])
        assert found == expected, "reported %s, expected %s" % (found, expected)
    print("the layer check reports every forbidden include and nothing else")


if __name__ == "__main__":
    main()
