# packagecompiler_build.jl: the PackageCompiler backend of the sysimage server. It turns its command
# line into one call of PackageCompiler.create_sysimage and runs it:
#
#   julia --startup-file=no --history-file=no --project=<env> packagecompiler_build.jl \
#         --sysimage-path <out.so> --project <env> --cpu-target <target> \
#         [--package <Name>]... [--statements <file>]... [--execute <file>]... [--dry-run]
#
# calls
#
#   create_sysimage(["Name", ...]; sysimage_path, project, precompile_statements_file = [files],
#                   precompile_execution_file = [files], cpu_target)
#
# PackageCompiler must be loadable from the active project or the rest of LOAD_PATH (e.g. the
# default environment). Its progress goes to stderr: with stderr a pipe, as under the server, its
# spinners print one `- PackageCompiler: <step>` line per step (TerminalSpinners.jl).
#
# --dry-run prints the call on stdout (one line, `repr` of every argument) instead of loading
# PackageCompiler, and exits with 0. The call is also printed on stderr as `[ Info: sysimage-server:
# create_sysimage(...)` before it runs.
#
# Exit status: 0 when create_sysimage returned; 1 when PackageCompiler cannot be loaded or
# create_sysimage threw (the error is printed by Julia); 2 for a usage error.
#
# Supported Julia versions: those PackageCompiler supports (2.x: 1.6+). PackageCompiler was never
# run from this script here (no General registry on these machines); only --dry-run was, with
# Julia 1.5.3.

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
    string("create_sysimage(", repr(o.packages), "; sysimage_path=", repr(o.sysimage_path),
           ", project=", repr(o.project), ", precompile_statements_file=", repr(o.statements),
           ", precompile_execution_file=", repr(o.execute), ", cpu_target=", repr(o.cpu_target), ")")
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
    Base.invokelatest(pc.create_sysimage, o.packages;
                      sysimage_path = o.sysimage_path,
                      project = o.project,
                      precompile_statements_file = o.statements,
                      precompile_execution_file = o.execute,
                      cpu_target = o.cpu_target)
    println(stderr, "[ Info: sysimage-server: wrote ", o.sysimage_path)
end

main(ARGS)
