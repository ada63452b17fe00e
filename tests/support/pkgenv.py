"""Offline Julia package environments for tests: a local registry whose packages live in local git
repositories, so real `Pkg.add`/`Pkg.update` run without the network (see ../shared/JULIA.md)."""
import os
import subprocess
import uuid as uuidlib


def git(cwd, *args):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"] +
                          list(args), cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


class LocalRegistry:
    """A registry `Local` in `depot`/registries with packages made by add_package/add_version."""

    def __init__(self, depot, src_root):
        self.depot = depot
        self.src_root = src_root
        self.root = os.path.join(depot, "registries", "Local")
        self.uuid = str(uuidlib.uuid4())
        self.packages = {}  # name -> {"uuid", "repo", "versions": {v: tree}}
        os.makedirs(self.root, exist_ok=True)
        os.makedirs(src_root, exist_ok=True)
        self._write()

    def add_package(self, name, versions):
        """Creates a git repository for `name` with one commit per version (in order)."""
        repo = os.path.join(self.src_root, name)
        os.makedirs(os.path.join(repo, "src"), exist_ok=True)
        pkg_uuid = str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, "sysimage-test/" + name))
        git(repo, "init", "-q")
        info = {"uuid": pkg_uuid, "repo": repo, "versions": {}}
        for v in versions:
            open(os.path.join(repo, "Project.toml"), "w").write(
                'name = "%s"\nuuid = "%s"\nversion = "%s"\n' % (name, pkg_uuid, v))
            open(os.path.join(repo, "src", name + ".jl"), "w").write(
                'module %s\nversion() = "%s"\ngreet(x) = string("hello ", x, " from %s")\nend\n' % (name, v, v))
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", "v" + v)
            info["versions"][v] = git(repo, "rev-parse", "HEAD:")
        self.packages[name] = info
        self._write()
        return info

    def _write(self):
        lines = ['name = "Local"', 'uuid = "%s"' % self.uuid, 'repo = ""', "", "[packages]"]
        for name, info in sorted(self.packages.items()):
            path = "%s/%s" % (name[0].upper(), name)
            lines.append('%s = { name = "%s", path = "%s" }' % (info["uuid"], name, path))
            d = os.path.join(self.root, path)
            os.makedirs(d, exist_ok=True)
            open(os.path.join(d, "Package.toml"), "w").write(
                'name = "%s"\nuuid = "%s"\nrepo = "%s"\n' % (name, info["uuid"], info["repo"]))
            open(os.path.join(d, "Versions.toml"), "w").write(
                "".join('["%s"]\ngit-tree-sha1 = "%s"\n\n' % (v, t) for v, t in info["versions"].items()))
            open(os.path.join(d, "Deps.toml"), "w").write("")
            open(os.path.join(d, "Compat.toml"), "w").write(
                "".join('["%s"]\njulia = "1"\n\n' % v for v in info["versions"]))
        open(os.path.join(self.root, "Registry.toml"), "w").write("\n".join(lines) + "\n")


def run_julia(julia, depot, project, code, timeout=600):
    """Runs Julia code in `project` with `depot` as the only depot; raises with the output on failure."""
    env = dict(os.environ, JULIA_DEPOT_PATH=depot)
    env.pop("JULIA_PROJECT", None)
    r = subprocess.run([julia, "--startup-file=no", "--project=" + project, "-e", code], env=env,
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError("julia failed (%d):\n%s\n%s" % (r.returncode, r.stdout, r.stderr))
    return r.stdout


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "fnv1a64:%016x" % h


def write_image_metadata(image_path, manifest_path, julia_version, package_names, julia_path="julia",
                         cpu_target="native"):
    """Writes a placeholder image and its sidecar (docs/configuration.md) describing the manifest's
    state for `package_names` and everything they depend on, as a build at that moment would."""
    import json
    import tomllib
    raw = open(manifest_path, "rb").read()
    m = tomllib.loads(raw.decode())
    entries = m["deps"] if "deps" in m and isinstance(m["deps"], dict) and "manifest_format" in m else \
        {k: v for k, v in m.items() if isinstance(v, list)}
    by_name = {name: e[0] for name, e in entries.items()}
    wanted, todo = set(), list(package_names)
    while todo:
        n = todo.pop()
        if n in wanted or n not in by_name:
            continue
        wanted.add(n)
        deps = by_name[n].get("deps", [])
        todo.extend(deps.keys() if isinstance(deps, dict) else deps)
    packages = {}
    for n in wanted:
        e = by_name[n]
        p = {"name": n, "source": "registry" if "git-tree-sha1" in e else "stdlib"}
        if "version" in e:
            p["version"] = e["version"]
        if "git-tree-sha1" in e:
            p["treeHash"] = e["git-tree-sha1"]
        packages[e["uuid"]] = p
    meta = {"backend": "native", "buildSeconds": 1.0, "builtAt": "2026-01-01T00:00:00Z", "cpuTarget": cpu_target,
            "formatVersion": 1, "juliaPath": julia_path, "juliaVersion": julia_version,
            "manifestHash": fnv1a64(raw), "packages": packages, "statementCount": 0,
            "statementSetHash": "fnv1a64:0000000000000000"}
    open(image_path, "wb").write(b"placeholder image for a staleness test\n")
    tmp = image_path + ".json.tmp"
    json.dump(meta, open(tmp, "w"), indent=1, sort_keys=True)
    os.replace(tmp, image_path + ".json")


def install_default_environment_package(julia, depot, name, path):
    """Installs package `name` from `path` into the default environment (`@v1.X`) of `depot`, as a user
    would with `julia -e 'using Pkg; Pkg.develop(path=...)'` (offline: the depot needs a registry,
    e.g. a LocalRegistry), then loads it once so that it is precompiled."""
    env = dict(os.environ, JULIA_DEPOT_PATH=depot)
    env.pop("JULIA_PROJECT", None)
    env.pop("JULIA_LOAD_PATH", None)
    code = "using Pkg; Pkg.develop(path=%s); import %s" % (json_string(path), name)
    r = subprocess.run([julia, "--startup-file=no", "-e", code], env=env, capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError("installing %s failed (%d):\n%s\n%s" % (path, r.returncode, r.stdout, r.stderr))


def json_string(s):
    """`s` as a Julia string literal (JSON's escapes are valid Julia; `$` is escaped too)."""
    import json
    return json.dumps(s).replace("$", "\\$")
