# build_sysimage.jl: the state-building script of the native sysimage backend, run inside the
# process that writes the object file, after prepare.jl (the method of PackageCompiler's
# `create_sysimg_object_file`, src/PackageCompiler.jl @7fa17bd3 L456-619):
#
#   julia --startup-file=no --history-file=no [--pkgimages=no] --project=<env> --output-o <obj> \
#         -J <default sys.so> --cpu-target <target> --threads=1 build_sysimage.jl <request file>
#
# It loads the packages prepare.jl listed (every requested package and all it depends on, by
# PkgId), imports the requested ones into Main, replays the precompile statements (recorded ones
# and the traces of the execution files, which ran in processes of their own) and clears the
# build machine's paths; the julia process then writes the object file when it exits. Link it with
# `cc -shared -o sys.so -Wl,--whole-archive <obj> -Wl,--no-whole-archive -L<libdir> -l:libjulia.so.1`
# (flags per platform and version: server/julia/build_link.h).
#
# Supported Julia versions: 1.5 through 1.13; run for real with Julia 1.5.3 only. Base only.
# Request file: build_common.jl and README.md ("Request file"). Without packages_file= (or when
# that file does not exist) the requested packages themselves are loaded.
#
# Progress (appended to `progress=`): one JSON object per line, flushed after each line:
#   {"event":"phase","phase":"loading"|"replaying"|"finishing"}
#   {"event":"package","name":"X","index":i,"total":n,"ok":true}         (ok:false adds "error")
#   {"event":"statement","index":i,"total":n,"ok":okcount,"failed":failcount}
#       index 0 once at the start of replaying, then when 1% of the statements or 0.2 s have
#       passed since the last such line, and always for the last statement
#   {"event":"done","ok":okcount,"failed":failcount}                      (statement counts)
#   {"event":"error","message":"..."}                                     (then exit status 1)
# "done" means this script finished. The object file is written afterwards, while the process
# exits, and that takes most of the build's time: the build succeeded only if julia exits with 0.
#
# Failed statements (not a call, unknown names, precompile returning false) are counted and never
# fail the build; the first few are described on stderr. A package that cannot be loaded fails it.

Base.reinit_stdio()

# The code lives in an anonymous module rather than `module SysimageBuild`, so that no build-only
# name ends up bound in the image's Main. No `$(...)` interpolation below: it is one big quote.
let code = quote

# --- environment of an --output-o process --------------------------------------------------------

# Module __init__ functions of the image do not run under --output-o, so the paths that a normal
# start computes are unset or hold the values of the machine that built the default image
# (PackageCompiler @7fa17bd3 L472-479).
function init_environment(req)
    Core.eval(Sys, :(BINDIR = ccall(:jl_get_julia_bindir, Any, ())::String))
    stdlib = req.stdlib
    if isempty(stdlib)
        stdlib = abspath(Sys.BINDIR, "..", "share", "julia", "stdlib",
                         string('v', VERSION.major, '.', VERSION.minor))
        println(stderr, "build_sysimage.jl: no stdlib= in the request; guessing ", stdlib)
    end
    Core.eval(Sys, Expr(:(=), :STDLIB, String(stdlib)))
    restrict_load_path(req.project)
    Base.init_depot_path()
end

# Nothing of the build machine stays in the image (PackageCompiler @7fa17bd3 L579-590): a normal
# start sets all of these again (Base.__init__, Sys.__init__).
function clear_environment()
    empty!(Core.ARGS)
    empty!(Base.ARGS)
    empty!(LOAD_PATH)
    empty!(DEPOT_PATH)
    if isdefined(Base, :TOML_CACHE)  # Julia 1.6+
        empty!(Base.TOML_CACHE.d)
        Base.TOML.reinit!(Base.TOML_CACHE.p, "")
    end
    Core.eval(Sys, :(BINDIR = ""))
    Core.eval(Sys, :(STDLIB = ""))
    Core.eval(Base, :(PROGRAM_FILE = ""))
    isdefined(Base, :ACTIVE_PROJECT) && (Base.ACTIVE_PROJECT[] = nothing)
    isdefined(Base, :HOME_PROJECT) && (Base.HOME_PROJECT[] = nothing)
end

# --- phases --------------------------------------------------------------------------------------

function packages_to_load(req)
    if !isempty(req.packages_file) && isfile(req.packages_file)
        return [(id, id.name) for id in read_packages_file(req.packages_file)]
    end
    return [(isempty(uuid) ? nothing : Base.PkgId(Base.UUID(uuid), name), name) for (name, uuid) in req.packages]
end

# `import Name` in Main for each requested package, as PackageCompiler does (@7fa17bd3 L553-569),
# so that `using .Name` works without the project; a name Main already has is left alone. A
# package the project cannot reach by name (an indirect dependency) gets its module bound instead.
function import_into_main(requested, loaded::Vector{Base.PkgId})
    for (name, uuid) in requested
        sym = Symbol(name)
        if isdefined(Main, sym)
            println(stderr, "build_sysimage.jl: not importing ", name, " into Main: Main already has that name")
            continue
        end
        try
            want = isempty(uuid) ? nothing : Base.UUID(uuid)
            id = Base.identify_package(name)
            if id !== nothing && (want === nothing || id.uuid == want)
                Core.eval(Main, Expr(:import, Expr(:., sym)))
            else
                i = findfirst(l -> l.name == name && (want === nothing || l.uuid == want), loaded)
                i === nothing && error("it is not among the loaded packages")
                Core.eval(Main, Expr(:const, Expr(:(=), sym, Base.require(loaded[i]))))
            end
        catch e
            println(stderr, "build_sysimage.jl: not importing ", name, " into Main: ", short_error(e))
        end
    end
end

# Lines that hold a statement: not blank, not a whole-line comment. 1.12's
# `--trace-compile-timing` prefix `#= 1.2 ms =# precompile(...)` is a statement.
function is_statement(line::AbstractString)
    s = strip(line)
    isempty(s) && return false
    startswith(s, "#") && !startswith(s, "#=") && return false
    return true
end

function read_statements(files)
    statements = String[]
    for f in files
        if !isfile(f)
            println(stderr, "build_sysimage.jl: statement file not found: ", f)
            continue
        end
        for line in eachline(f)
            is_statement(line) && push!(statements, line)
        end
    end
    return statements
end

const MAX_REPORTED_FAILURES = 20

# Replaying one statement the way PackageCompiler does (@7fa17bd3 L506-545, after Julia's
# contrib/generate_precompile.jl): parse the line, keep only the call's arguments as a tuple,
# evaluate that tuple in the staging module, and when a name is missing bind it to the one loaded
# module of that name (none or several: the statement is skipped); then `precompile(args...)`.
# Returns `true`, or a text saying why the statement was not compiled.
function replay_one(staging::Module, statement::AbstractString)
    # Julia 1.5/1.6 print unbounded varargs as `Vararg{T, N} where N`, which precompile cannot
    # cache; bound them (PackageCompiler v1.4.0 L303-305, v1.5.0 the same for Julia 1.6).
    if VERSION < v"1.7"
        statement = replace(statement, r"Vararg{(.*?), N} where N" => s"Vararg{\1, 100}")
    end
    ex = try
        Meta.parse(statement)
    catch e
        return string("does not parse: ", short_error(e))
    end
    Meta.isexpr(ex, :call) || return "not a call"
    popfirst!(ex.args)
    ex.head = :tuple
    # Julia 1.7-1.9.0 print them as a trailing `Vararg{T}` (PackageCompiler v2.1.24 L382-392).
    if VERSION <= v"1.9.0" && !isempty(ex.args)
        last_arg = ex.args[end]
        if (Meta.isexpr(last_arg, :tuple) || Meta.isexpr(last_arg, :curly)) && !isempty(last_arg.args)
            v = last_arg.args[end]
            if Meta.isexpr(v, :curly) && length(v.args) == 2 && v.args[1] === :Vararg
                push!(v.args, 100)
            end
        end
    end
    args = nothing
    while true
        try
            args = Core.eval(staging, ex)
            break
        catch e
            e isa UndefVarError || return string("failed: ", short_error(e))
            name = string(e.var)
            mods = [m for (id, m) in Base.loaded_modules if id.name == name]
            length(mods) == 1 || return string("failed: ", short_error(e),
                                               length(mods) > 1 ? " (several loaded modules have that name)" : "")
            Core.eval(staging, Expr(:(=), Symbol(name), mods[1]))
        end
    end
    ok = try
        precompile(args...)
    catch e
        return string("failed: ", short_error(e))
    end
    return ok === true ? true : "not compiled"
end

function replay(statements)
    n = length(statements)
    ok = 0
    failed = 0
    staging = Module()
    step = max(1, n ÷ 100)
    emit("event" => "statement", "index" => 0, "total" => n, "ok" => 0, "failed" => 0)
    last_index = 0
    last_time = time()
    for (i, statement) in enumerate(statements)
        result = try
            replay_one(staging, statement)
        catch e
            string("failed: ", short_error(e))
        end
        if result === true
            ok += 1
        else
            if failed < MAX_REPORTED_FAILURES
                println(stderr, "build_sysimage.jl: statement $i $result: ", first(statement, 300))
            end
            failed += 1
        end
        now = time()
        if i == n || i - last_index >= step || now - last_time >= 0.2
            emit("event" => "statement", "index" => i, "total" => n, "ok" => ok, "failed" => failed)
            last_index = i
            last_time = now
        end
    end
    if failed > MAX_REPORTED_FAILURES
        println(stderr, "build_sysimage.jl: ", failed - MAX_REPORTED_FAILURES,
                " more failed statements not shown")
    end
    return ok, failed
end

function main(args)
    req = start_script("build_sysimage.jl", args)
    ccall(:jl_generating_output, Cint, ()) == 0 &&
        println(stderr, "build_sysimage.jl: warning: not run with --output-o; no image will be written")
    n = Threads.nthreads()
    println(stderr, "build_sysimage.jl: Julia ", VERSION, ", ", n, n == 1 ? " thread" : " threads")

    emit("event" => "phase", "phase" => "loading")
    init_environment(req)
    loaded = load_packages(packages_to_load(req), "package")
    req.import_into_main && import_into_main(req.packages, loaded)

    emit("event" => "phase", "phase" => "replaying")
    ok, failed = replay(read_statements(req.statements))

    emit("event" => "phase", "phase" => "finishing")
    clear_environment()
    emit("event" => "done", "ok" => ok, "failed" => failed)
    close_progress()
end

end # quote
    m = Module(:SysimageBuild)
    Base.include(m, joinpath(@__DIR__, "json_writer.jl"))   # json_line for the progress side channel
    Base.include(m, joinpath(@__DIR__, "build_common.jl"))  # request file, progress, errors
    Core.eval(m, Expr(:toplevel, code.args...))
    Base.invokelatest(getfield(m, :main), ARGS)
end
