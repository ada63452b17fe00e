# prepare.jl: the first step of the native sysimage backend, in a process of its own before the
# expensive `--output-o` process (what PackageCompiler does in its own process with
# `Pkg.instantiate` and `ensurecompiled`, src/PackageCompiler.jl @7fa17bd3 L735 and L430-439):
#
#   julia --startup-file=no --history-file=no [--pkgimages=no] --project=<env> -J <base image> \
#         prepare.jl <request file>
#
# (--pkgimages=no on Julia 1.9+, the same flags as the `--output-o` process, so that the package
# caches it makes are the ones that process can load.) It reads the same request file as
# build_sysimage.jl (keys: server/julia/scripts/README.md) and
#   1. instantiates the environment (`Pkg.instantiate()`) when it has a project file but no
#      manifest (Pkg resolves and writes Manifest.toml), or when a package to be baked in is not
#      installed in the depot;
#   2. resolves every requested package to a `Base.PkgId`: by name in the project's [deps], the
#      project's own package, a package listed once in the manifest, else a standard library;
#      `Name uuid` entries as given;
#   3. adds every package they depend on according to the manifest, transitively (PackageCompiler's
#      `package_ids_for_sysimage`, L193-227), so lazily loaded dependencies go into the image too;
#   4. loads each of them (`Base.require`), which precompiles what is not yet precompiled;
#   5. writes the packages file (`packages_file=`): one `Name uuid` per line, in loading order.
# Supported Julia versions: 1.5 through 1.13 (manifest format 1 and 2.0; run for real with 1.5.3).
#
# Progress (appended to `progress=`, JSON lines, see README.md):
#   {"event":"phase","phase":"preparing"}
#   {"event":"phase","phase":"instantiating"}                    only when Pkg.instantiate runs
#   {"event":"precompile","name":"X","index":i,"total":n,"ok":true}
#   {"event":"prepared","packages":n}                            then exit status 0
#   {"event":"error","message":"..."}                            then exit status 1
# A package that is not in the environment, cannot be installed or fails to load ends this step
# with an `error` event and a message meant for the user; usage errors exit with status 2.

module SysimagePrepare

include(joinpath(@__DIR__, "json_writer.jl"))
include(joinpath(@__DIR__, "build_common.jl"))

const PKG_ID = Base.PkgId(Base.UUID("44cfe95a-1eb2-52ea-b672-e2afdf69b78f"), "Pkg")

const Deps = Dict{String,Base.UUID}

struct Environment
    dir::String
    project_file::Union{Nothing,String}
    manifest_file::Union{Nothing,String}
    name::Union{Nothing,String}                   # the project's own package, if it is one
    uuid::Union{Nothing,Base.UUID}
    deps::Deps                                    # the project's [deps]
    manifest::Dict{Base.UUID,Tuple{String,Deps}}  # uuid => (name, deps)
end

# TOML without packages: Base's parser from Julia 1.6 (cached, re-read when the file changes),
# Pkg's bundled one on 1.5 (Pkg is in that sysimage).
function parse_toml(path::AbstractString)
    isdefined(Base, :parsed_toml) && return Base.parsed_toml(path)
    return Base.invokelatest(getfield(Base.require(PKG_ID), :TOML).parsefile, path)
end

function find_project_file(dir::AbstractString)
    for name in ("JuliaProject.toml", "Project.toml")
        f = joinpath(dir, name)
        isfile(f) && return f
    end
    return nothing
end

# Manifest format 1 (Julia 1.0-1.6: `[[Name]]` at the top level) and 2.0 (1.7+: `[[deps.Name]]`).
# `deps` is a list of names, or a table name => uuid when a name is ambiguous.
function read_manifest(path::AbstractString)
    raw = parse_toml(path)
    entries = haskey(raw, "manifest_format") ? get(raw, "deps", Dict{String,Any}()) : raw
    found = Tuple{String,Base.UUID,Any}[]
    by_name = Dict{String,Vector{Base.UUID}}()
    for (name, infos) in entries
        infos isa AbstractVector || continue
        for info in infos
            info isa AbstractDict || continue
            u = get(info, "uuid", nothing)
            u isa AbstractString || continue
            uuid = Base.UUID(u)
            push!(found, (String(name), uuid, get(info, "deps", nothing)))
            push!(get!(by_name, String(name), Base.UUID[]), uuid)
        end
    end
    manifest = Dict{Base.UUID,Tuple{String,Deps}}()
    for (name, uuid, deps) in found
        d = Deps()
        if deps isa AbstractVector
            for dep in deps
                uuids = get(by_name, String(dep), Base.UUID[])
                length(uuids) == 1 && (d[String(dep)] = uuids[1])
            end
        elseif deps isa AbstractDict
            for (dep, u) in deps
                d[String(dep)] = Base.UUID(u)
            end
        end
        manifest[uuid] = (name, d)
    end
    return manifest
end

function read_environment(dir::AbstractString)
    project_file = find_project_file(dir)
    project_file === nothing &&
        return Environment(dir, nothing, nothing, nothing, nothing, Deps(), Dict{Base.UUID,Tuple{String,Deps}}())
    raw = parse_toml(project_file)
    deps = Deps()
    for (name, u) in get(raw, "deps", Dict{String,Any}())
        deps[String(name)] = Base.UUID(u)
    end
    name = get(raw, "name", nothing)
    uuid = get(raw, "uuid", nothing)
    manifest_file = Base.project_file_manifest_path(project_file)
    manifest = manifest_file === nothing ? Dict{Base.UUID,Tuple{String,Deps}}() : read_manifest(manifest_file)
    return Environment(dir, project_file, manifest_file, name isa AbstractString ? String(name) : nothing,
                       uuid isa AbstractString ? Base.UUID(uuid) : nothing, deps, manifest)
end

function unique_in_manifest(env::Environment, name::AbstractString)
    uuids = [u for (u, (n, _)) in env.manifest if n == name]
    return length(uuids) == 1 ? uuids[1] : nothing
end

function resolve(env::Environment, requested)
    ids = Base.PkgId[]
    for (name, uuid) in requested
        id = if !isempty(uuid)
            Base.PkgId(Base.UUID(uuid), name)
        elseif haskey(env.deps, name)
            Base.PkgId(env.deps[name], name)
        elseif env.uuid !== nothing && env.name == name
            Base.PkgId(env.uuid, name)
        elseif (u = unique_in_manifest(env, name)) !== nothing
            Base.PkgId(u, name)  # an indirect dependency
        else
            Base.identify_package(name)  # LOAD_PATH is [env, "@stdlib"]: a standard library
        end
        if id === nothing
            where = env.project_file === nothing ? "$(env.dir) has no project file" :
                    "it is not in the [deps] of $(env.project_file) nor in its manifest"
            fail("package $name is not in the environment: $where, and no standard library has that name")
        end
        id in ids || push!(ids, id)
    end
    return ids
end

# The requested packages, then what they depend on, breadth first (names sorted on each level).
function with_dependencies(env::Environment, requested::Vector{Base.PkgId})
    order = copy(requested)
    seen = Set(requested)
    frontier = copy(requested)
    while !isempty(frontier)
        next = Base.PkgId[]
        for id in frontier
            deps = env.uuid !== nothing && id.uuid == env.uuid ? env.deps :
                   haskey(env.manifest, id.uuid) ? env.manifest[id.uuid][2] : Deps()
            for name in sort!(collect(keys(deps)))
                dep = Base.PkgId(deps[name], name)
                dep in seen && continue
                push!(seen, dep)
                push!(order, dep)
                push!(next, dep)
            end
        end
        frontier = next
    end
    return order
end

function not_installed(ids)
    return filter(ids) do id
        path = Base.locate_package(id)
        path === nothing || !isfile(path)
    end
end

# Pkg.instantiate() for the active project (the command line's --project): resolves and writes
# the manifest when there is none, installs what the manifest lists. Returns an error text.
function instantiate(why::AbstractString)
    emit("event" => "phase", "phase" => "instantiating")
    println(stderr, SCRIPT_NAME[], ": ", why, "; running Pkg.instantiate()")
    try
        Base.invokelatest(getfield(Base.require(PKG_ID), :instantiate))
    catch e
        return short_error(e)
    end
    return nothing
end

function describe(ids)
    return join([string(id.name, " [", id.uuid, "]") for id in ids], ", ")
end

function main(args)
    req = start_script("prepare.jl", args; needs_packages_file = true)
    emit("event" => "phase", "phase" => "preparing")
    restrict_load_path(req.project)

    env = read_environment(req.project)
    if env.project_file !== nothing && env.manifest_file === nothing
        err = instantiate("$(env.project_file) has no manifest")
        env = read_environment(req.project)
        if err !== nothing || env.manifest_file === nothing
            fail(string("cannot build: ", env.project_file, " has no Manifest.toml and Pkg.instantiate() could not ",
                        "write one", err === nothing ? "" : ": $err", ". Run `julia --project=", req.project,
                        " -e 'using Pkg; Pkg.instantiate()'` and build again"))
        end
    end

    ids = with_dependencies(env, resolve(env, req.packages))
    missing_ids = not_installed(ids)
    if !isempty(missing_ids) && env.manifest_file !== nothing
        err = instantiate("not installed: $(describe(missing_ids))")
        env = read_environment(req.project)
        ids = with_dependencies(env, resolve(env, req.packages))
        missing_ids = not_installed(ids)
        if !isempty(missing_ids)
            fail(string("cannot build: not installed: ", describe(missing_ids),
                        err === nothing ? "" : "; Pkg.instantiate() failed: $err"))
        end
    elseif !isempty(missing_ids)
        fail(string("cannot build: not installed: ", describe(missing_ids)))
    end

    load_packages([(id, id.name) for id in ids], "precompile")

    # Written whole, then renamed: build_sysimage.jl never sees half a list.
    tmp = req.packages_file * ".tmp"
    open(tmp, "w") do io
        for id in ids
            println(io, id.name, ' ', id.uuid)
        end
    end
    mv(tmp, req.packages_file; force = true)
    emit("event" => "prepared", "packages" => length(ids))
    close_progress()
    return nothing
end

end # module

# Run as a script; `include`d (tests), it only defines the module.
abspath(PROGRAM_FILE) == abspath(@__FILE__) && SysimagePrepare.main(ARGS)
