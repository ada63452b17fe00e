# packagecompiler_build.jl: the PackageCompiler backend of the sysimage server. It turns its command
# line into one call of PackageCompiler.create_sysimage and runs it:
#
#   julia --startup-file=no --history-file=no --project=<env> packagecompiler_build.jl \
#         --sysimage-path <out.so> --project <env> --cpu-target <target> \
#         [--package <Name>]... [--statements <file>]... [--execute <file>]... [--dry-run]
#
# calls
#
#   create_sysimage([:Name, ...]; sysimage_path, project, precompile_statements_file = [files],
#                   precompile_execution_file = [files], cpu_target)
#
# That call means the same in PackageCompiler 1.x and 2.x (read in their source):
#  - 1.4.0 (src/PackageCompiler.jl @c83d38b7, the last release for Julia 1.5):
#    `create_sysimage(packages::Union{Symbol, Vector{Symbol}}=Symbol[]; sysimage_path, project,
#    precompile_execution_file, precompile_statements_file, ..., cpu_target, script)`. Package names
#    must be Symbols there (a Vector{String} is a MethodError), so they are passed as Symbols.
#  - 2.x (HEAD 7fa17bd3, Julia 1.6-1.13): `create_sysimage(packages::Union{Nothing, String, Symbol,
#    Vector{String}, Vector{Symbol}}=nothing; sysimage_path::String, project, ..., cpu_target,
#    import_into_main=true, include_transitive_dependencies=true, ...)`. `nothing` would mean "every
#    package of the project"; an explicit (possibly empty) vector means exactly those, as in 1.x.
# Only these keywords are passed, so the call works with both. PackageCompiler is found wherever
# Base.require finds it from the active project: the project itself or the rest of LOAD_PATH,
# normally the default environment (`@v1.X`).
#
# Progress goes to stderr: with stderr a pipe, as under the server, 2.x's spinners print one
# `- PackageCompiler: <step>` line per step (TerminalSpinners.jl); 1.x logs `[ Info: PackageCompiler:
# creating system image object file, ...`. Neither reports failed precompile statements above the
# Debug level, so this script adds `anonymous` to JULIA_DEBUG for its child processes: both versions
# replay in an anonymous module (`@eval Module() begin ... end`) and log each statement they skip
# there as `Debug: failed to execute <statement>` (2.x also `Debug: zero or multiple modules loaded
# with name <name>`), which the server counts (server/julia/packagecompiler_log.h).
#
# --dry-run prints the call on stdout (one line, `repr` of every argument) instead of loading
# PackageCompiler, and exits with 0. The call is also printed on stderr as `[ Info: sysimage-server:
# create_sysimage(...)` before it runs.
#
# Exit status: 0 when create_sysimage returned; 1 when PackageCompiler cannot be loaded or
# create_sysimage threw (the error is printed by Julia); 2 for a usage error.
#
# Supported Julia versions: those PackageCompiler supports (1.4.0: 1.3-1.5; 2.x: 1.6+). Run for real
# with PackageCompiler 1.4.0 on Julia 1.5.3 (tests/julia/test_packagecompiler_backend.py); 2.x was
# read, not run.

function usage_error(msg)
    println(stderr, "packagecompiler_build.jl: ", msg)
    println(stderr, "usage: packagecompiler_build.jl --sysimage-path P --project D [--cpu-target T] ",
            "[--package Name]... [--statements F]... [--execute F]... [--dry-run]")
    exit(2)
end

function parse_arguments(args)
    sysimage_path = ""
    project = ""
    cpu_target = "native"
    packages = String[]
    statements = String[]
    execute = String[]
    dry_run = false
    i = 1
    while i <= length(args)
        a = args[i]
        if a == "--dry-run"
            dry_run = true
            i += 1
            continue
        end
        i < length(args) || usage_error("missing value after $a")
        v = args[i + 1]
        if a == "--sysimage-path"
            sysimage_path = v
        elseif a == "--project"
            project = v
        elseif a == "--cpu-target"
            cpu_target = v
        elseif a == "--package"
            push!(packages, v)
        elseif a == "--statements"
            push!(statements, v)
        elseif a == "--execute"
            push!(execute, v)
        else
            usage_error("unknown argument $a")
        end
        i += 2
    end
    isempty(sysimage_path) && usage_error("--sysimage-path is required")
    isempty(project) && usage_error("--project is required")
    return (; sysimage_path, project, cpu_target, packages, statements, execute, dry_run)
end

function call_text(o)
    string("create_sysimage(", repr(Symbol.(o.packages)), "; sysimage_path=", repr(o.sysimage_path),
           ", project=", repr(o.project), ", precompile_statements_file=", repr(o.statements),
           ", precompile_execution_file=", repr(o.execute), ", cpu_target=", repr(o.cpu_target), ")")
end

# The `version` of the package's Project.toml ("unknown" without one); Base only (1.5 has no pkgversion).
function package_version(m::Module)
    file = joinpath(dirname(dirname(pathof(m))), "Project.toml")
    isfile(file) || return "unknown"
    found = match(r"(?m)^version\s*=\s*\"([^\"]*)\"", read(file, String))
    return found === nothing ? "unknown" : found.captures[1]
end

function main(args)
    o = parse_arguments(args)
    text = call_text(o)
    if o.dry_run
        println(stdout, text)
        return
    end
    println(stderr, "[ Info: sysimage-server: ", text)
    pc = try
        Base.require(Main, :PackageCompiler)
    catch e
        println(stderr, "ERROR: PackageCompiler cannot be loaded from ", o.project, " or the rest of LOAD_PATH: ",
                sprint(showerror, e))
        exit(1)
    end
    println(stderr, "[ Info: sysimage-server: PackageCompiler ", package_version(pc), " from ", pathof(pc))
    debug = get(ENV, "JULIA_DEBUG", "")
    ENV["JULIA_DEBUG"] = isempty(debug) ? "anonymous" : string(debug, ",anonymous")
    Base.invokelatest(pc.create_sysimage, Symbol.(o.packages);
                      sysimage_path = o.sysimage_path,
                      project = o.project,
                      precompile_statements_file = o.statements,
                      precompile_execution_file = o.execute,
                      cpu_target = o.cpu_target)
    println(stderr, "[ Info: sysimage-server: wrote ", o.sysimage_path)
end

main(ARGS)
