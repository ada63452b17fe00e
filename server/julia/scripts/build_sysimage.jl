# build_sysimage.jl: the state-building script of the native sysimage backend (the method of
# PackageCompiler's "Creating a sysimage" chapter), run inside the process that writes the object:
#
#   julia --startup-file=no --project=<env> --output-o <tmp>.o -J <default sys.so> \
#         [--cpu-target <target>] build_sysimage.jl <request file>
#
# It loads the requested packages, replays the recorded precompile statements and runs the
# execution files; the julia process then writes the object file when it exits. Link it with
# `gcc -shared -o sys.so -Wl,--whole-archive <tmp>.o -Wl,--no-whole-archive -L<libdir> -l:libjulia.so.1`.
#
# Supported Julia versions: 1.5 through 1.12; run for real with Julia 1.5.3 only. Base only.
#
# Request file (Base Julia has no JSON parser): UTF-8 text, one `key=value` per line, split at the
# first '='; blank lines and lines starting with '#' are ignored; repeatable keys keep their order.
#   stdlib=<path>        Sys.STDLIB of a normal run of this julia (probe.jl's "stdlib"). Required:
#                        without it stdlibs are "not found" in an --output-o process.
#   progress=<path>      progress file, JSON lines (below). Optional; without it nothing is written.
#   package=<Name>       a package to put into the image, looked up in the active project
#   package=<Name> <uuid>  the same, by PkgId (works for indirect dependencies in the manifest)
#   statements=<path>    a statement file: one precompile statement per line (the line format of
#                        `--trace-compile`, Julia 1.5-1.12, incl. 1.12's `#= 12.3 ms =#` prefix)
#   execute=<path>       a Julia file to `include` (in a fresh module each) after the statements
#
# Progress file: one JSON object per line, flushed after each line:
#   {"event":"phase","phase":"loading"|"replaying"|"executing"|"finishing"}
#   {"event":"package","name":"X","index":i,"total":n,"ok":true}         (ok:false adds "error")
#   {"event":"statement","index":i,"total":n,"ok":okcount,"failed":failcount}
#       index 0 once at the start of replaying, then when 1% of the statements or 0.2 s have
#       passed since the last such line, and always for the last statement
#   {"event":"execute","path":"...","index":i,"total":n,"ok":true}       (ok:false adds "error")
#   {"event":"done","ok":okcount,"failed":failcount}                      (statement counts)
#   {"event":"error","message":"..."}                                     (then exit status 1)
# "done" means this script finished. The object file is written afterwards, while the process
# exits, and that takes most of the build's time: the build succeeded only if julia exits with 0.
#
# Failed statements (parse errors, unknown names, precompile returning false) are counted and never
# fail the build; the first few are described on stderr. A failed execution file is reported and
# does not fail the build either. A package that cannot be loaded fails the build.

Base.reinit_stdio()

# The code lives in an anonymous module rather than `module SysimageBuild`, so that no build-only
# name ends up bound in the image's Main. No `$(...)` interpolation below: it is one big quote.
let code = quote

# --- progress ----------------------------------------------------------------------------------

const PROGRESS = Ref{Union{IOStream,Nothing}}(nothing)

function emit(pairs...)
    io = PROGRESS[]
    io === nothing && return
    println(io, json_line(pairs...))
    flush(io)
end

function fail(message::AbstractString)
    emit("event" => "error", "message" => message)
    println(stderr, "build_sysimage.jl: error: ", message)
    exit(1)
end

# One line, at most 500 characters: showerror's text with its line breaks turned into spaces.
function short_error(e)
    msg = join(filter(!isempty, strip.(split(sprint(showerror, e), '\n'))), ' ')
    return length(msg) > 500 ? string(first(msg, 500), "...") : msg
end

# --- request file --------------------------------------------------------------------------------

struct Request
    stdlib::String
    progress::String
    packages::Vector{Tuple{String,String}}   # (name, uuid or "")
    statements::Vector{String}
    execute::Vector{String}
end

function read_request(path::AbstractString)
    stdlib = ""
    progress = ""
    packages = Tuple{String,String}[]
    statements = String[]
    execute = String[]
    for raw in eachline(path)
        line = strip(chomp(raw), ['\r', ' ', '\t'])
        (isempty(line) || startswith(line, '#')) && continue
        eq = findfirst(isequal('='), line)
        if eq === nothing
            println(stderr, "build_sysimage.jl: ignoring request line without '=': ", line)
            continue
        end
        key = strip(line[1:prevind(line, eq)])
        value = String(strip(line[nextind(line, eq):end]))
        if key == "stdlib"
            stdlib = value
        elseif key == "progress"
            progress = value
        elseif key == "package"
            parts = split(value)
            if length(parts) == 1
                push!(packages, (String(parts[1]), ""))
            elseif length(parts) == 2
                push!(packages, (String(parts[1]), String(parts[2])))
            else
                println(stderr, "build_sysimage.jl: ignoring malformed package line: ", line)
            end
        elseif key == "statements"
            push!(statements, value)
        elseif key == "execute"
            push!(execute, value)
        else
            println(stderr, "build_sysimage.jl: ignoring unknown request key: ", key)
        end
    end
    return Request(stdlib, progress, packages, statements, execute)
end

# --- environment of an --output-o process --------------------------------------------------------

# Module __init__ functions of the image do not run under --output-o, so the paths that a normal
# start computes are unset or hold the values of the machine that built the default image.
function init_environment(stdlib::AbstractString)
    Core.eval(Sys, :(BINDIR = ccall(:jl_get_julia_bindir, Any, ())::String))
    if isempty(stdlib)
        stdlib = abspath(Sys.BINDIR, "..", "share", "julia", "stdlib",
                         string('v', VERSION.major, '.', VERSION.minor))
        println(stderr, "build_sysimage.jl: no stdlib= in the request; guessing ", stdlib)
    end
    Core.eval(Sys, Expr(:(=), :STDLIB, String(stdlib)))
    Base.init_load_path()
    # Julia 1.8+ handles --project in a separate step.
    isdefined(Base, :init_active_project) && Base.init_active_project()
    Base.init_depot_path()
end

# Build-machine paths must not be stored in the image; a normal start re-initialises them.
function clear_environment()
    empty!(LOAD_PATH)
    empty!(DEPOT_PATH)
    isdefined(Base, :ACTIVE_PROJECT) && (Base.ACTIVE_PROJECT[] = nothing)
    isdefined(Base, :HOME_PROJECT) && (Base.HOME_PROJECT[] = nothing)
end

# --- phases --------------------------------------------------------------------------------------

function load_packages(packages)
    n = length(packages)
    for (i, (name, uuid)) in enumerate(packages)
        try
            if isempty(uuid)
                Base.require(Main, Symbol(name))
            else
                Base.require(Base.PkgId(Base.UUID(uuid), name))
            end
            emit("event" => "package", "name" => name, "index" => i, "total" => n, "ok" => true)
        catch e
            msg = short_error(e)
            emit("event" => "package", "name" => name, "index" => i, "total" => n, "ok" => false,
                 "error" => msg)
            fail("cannot load package $name: $msg")
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

# An anonymous module in which every loaded module is bound under its name, so that statements
# like `precompile(Tuple{typeof(Statistics.mean), Vector{Float64}})` resolve (seed 000).
function staging_module()
    m = Module()
    for (pkgid, mod) in Base.loaded_modules
        name = pkgid.name
        name in ("Main", "Core", "Base") && continue
        try
            Core.eval(m, Expr(:const, Expr(:(=), Symbol(name), mod)))
        catch
            # Two loaded packages with the same name: the first one keeps the name.
        end
    end
    return m
end

const MAX_REPORTED_FAILURES = 20

function replay_one(m::Module, statement::AbstractString)
    ex = Meta.parse(statement; raise = true)
    if ex isa Expr && (ex.head === :incomplete || ex.head === :error)
        error("incomplete or invalid statement")
    end
    # precompile(...) returns false when the signature cannot be compiled; count that as failed.
    return Core.eval(m, ex) !== false
end

function replay(statements)
    n = length(statements)
    ok = 0
    failed = 0
    m = staging_module()
    step = max(1, n ÷ 100)
    emit("event" => "statement", "index" => 0, "total" => n, "ok" => 0, "failed" => 0)
    last_index = 0
    last_time = time()
    for (i, statement) in enumerate(statements)
        err = nothing
        good = try
            replay_one(m, statement)
        catch e
            err = e
            false
        end
        if good
            ok += 1
        else
            if failed < MAX_REPORTED_FAILURES
                # precompile returns false when it cannot compile the signature; other failures throw.
                why = err === nothing ? "not compiled" : string("failed: ", short_error(err))
                println(stderr, "build_sysimage.jl: statement $i $why: ", first(statement, 300))
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

function run_execution_files(files)
    n = length(files)
    for (i, f) in enumerate(files)
        try
            Base.include(Module(:__SysimageWorkload__), f)
            emit("event" => "execute", "path" => f, "index" => i, "total" => n, "ok" => true)
        catch e
            msg = short_error(e)
            println(stderr, "build_sysimage.jl: execution file $f failed: ", msg)
            emit("event" => "execute", "path" => f, "index" => i, "total" => n, "ok" => false,
                 "error" => msg)
        end
    end
end

function main(args)
    length(args) == 1 || (println(stderr, "usage: build_sysimage.jl <request file>"); exit(2))
    isfile(args[1]) || (println(stderr, "build_sysimage.jl: request file not found: ", args[1]); exit(2))
    req = read_request(args[1])
    if !isempty(req.progress)
        PROGRESS[] = open(req.progress, "w")
    end
    ccall(:jl_generating_output, Cint, ()) == 0 &&
        println(stderr, "build_sysimage.jl: warning: not run with --output-o; no image will be written")

    emit("event" => "phase", "phase" => "loading")
    init_environment(req.stdlib)
    load_packages(req.packages)

    emit("event" => "phase", "phase" => "replaying")
    ok, failed = replay(read_statements(req.statements))

    emit("event" => "phase", "phase" => "executing")
    run_execution_files(req.execute)

    emit("event" => "phase", "phase" => "finishing")
    clear_environment()
    emit("event" => "done", "ok" => ok, "failed" => failed)
    io = PROGRESS[]
    io === nothing || close(io)
    PROGRESS[] = nothing
end

end # quote
    m = Module(:SysimageBuild)
    Base.include(m, joinpath(@__DIR__, "json_writer.jl"))  # json_line for the progress side channel
    Core.eval(m, Expr(:toplevel, code.args...))
    Base.invokelatest(getfield(m, :main), ARGS)
end
