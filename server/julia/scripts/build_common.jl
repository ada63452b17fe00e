# build_common.jl: what the native backend's two Julia steps share (prepare.jl, build_sysimage.jl):
# the request file, the progress side channel, one-line error texts, the start-up and package
# loading. Base Julia only, 1.5+.
# Included into each script's own anonymous module after json_writer.jl (json_line).
#
# Request file (Base Julia has no JSON parser): UTF-8 text, one `key=value` per line, split at the
# first '='; blanks around key and value and a trailing '\r' are stripped; blank lines and lines
# starting with '#' are ignored; unknown keys are reported on stderr and ignored. Repeatable keys
# keep their order. Keys: see server/julia/scripts/README.md, "Request file".

# --- progress ------------------------------------------------------------------------------------

const PROGRESS = Ref{Union{IOStream,Nothing}}(nothing)
const SCRIPT_NAME = Ref("build script")

# Appends: prepare.jl and build_sysimage.jl write one file in turn, and the server reads it as
# one stream (it deletes the file before the first step).
function open_progress(path::AbstractString)
    isempty(path) || (PROGRESS[] = open(path, "a"))
    return nothing
end

function close_progress()
    io = PROGRESS[]
    io === nothing || close(io)
    PROGRESS[] = nothing
    return nothing
end

function emit(pairs...)
    io = PROGRESS[]
    io === nothing && return
    println(io, json_line(pairs...))
    flush(io)
end

function fail(message::AbstractString)
    emit("event" => "error", "message" => message)
    println(stderr, SCRIPT_NAME[], ": error: ", message)
    close_progress()
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
    project::String                          # the environment's directory
    progress::String
    packages_file::String                    # written by prepare.jl, read by build_sysimage.jl
    import_into_main::Bool
    packages::Vector{Tuple{String,String}}   # requested: (name, uuid or "")
    statements::Vector{String}
end

function read_request(path::AbstractString)
    stdlib = ""
    project = ""
    progress = ""
    packages_file = ""
    import_into_main = true
    packages = Tuple{String,String}[]
    statements = String[]
    for raw in eachline(path)
        line = strip(chomp(raw), ['\r', ' ', '\t'])
        (isempty(line) || startswith(line, '#')) && continue
        eq = findfirst(isequal('='), line)
        if eq === nothing
            println(stderr, SCRIPT_NAME[], ": ignoring request line without '=': ", line)
            continue
        end
        key = strip(line[1:prevind(line, eq)])
        value = String(strip(line[nextind(line, eq):end]))
        if key == "stdlib"
            stdlib = value
        elseif key == "project"
            project = value
        elseif key == "progress"
            progress = value
        elseif key == "packages_file"
            packages_file = value
        elseif key == "import_into_main"
            value in ("yes", "no") ||
                println(stderr, SCRIPT_NAME[], ": import_into_main must be yes or no, not ", repr(value))
            import_into_main = value != "no"
        elseif key == "package"
            parts = split(value)
            if length(parts) == 1
                push!(packages, (String(parts[1]), ""))
            elseif length(parts) == 2
                push!(packages, (String(parts[1]), String(parts[2])))
            else
                println(stderr, SCRIPT_NAME[], ": ignoring malformed package line: ", line)
            end
        elseif key == "statements"
            push!(statements, value)
        else
            println(stderr, SCRIPT_NAME[], ": ignoring unknown request key: ", key)
        end
    end
    return Request(stdlib, project, progress, packages_file, import_into_main, packages, statements)
end

# Only the environment being built and the standard libraries can be loaded from, as in
# PackageCompiler (src/PackageCompiler.jl @7fa17bd3 L478: `copy!(LOAD_PATH, [project, "@stdlib"])`).
function restrict_load_path(project::AbstractString)
    copy!(LOAD_PATH, isempty(project) ? ["@stdlib"] : [String(project), "@stdlib"])
    return nothing
end

# The packages file of prepare.jl: one `Name uuid` per line.
function read_packages_file(path::AbstractString)
    ids = Base.PkgId[]
    for line in eachline(path)
        parts = split(strip(line))
        length(parts) == 2 || continue
        push!(ids, Base.PkgId(Base.UUID(String(parts[2])), String(parts[1])))
    end
    return ids
end

# --- shared steps --------------------------------------------------------------------------------

# A script's start: `args` must be one existing request file (else a usage error, exit status 2);
# reads it and opens its progress file. `needs_packages_file`: the request must name a
# packages_file= (prepare.jl writes it). Returns the Request.
function start_script(name::AbstractString, args; needs_packages_file::Bool = false)
    SCRIPT_NAME[] = name
    length(args) == 1 || (println(stderr, "usage: ", name, " <request file>"); exit(2))
    isfile(args[1]) || (println(stderr, name, ": request file not found: ", args[1]); exit(2))
    req = read_request(args[1])
    if needs_packages_file && isempty(req.packages_file)
        println(stderr, name, ": the request has no packages_file=")
        exit(2)
    end
    open_progress(req.progress)
    return req
end

# Loads each package of `entries`, (PkgId or nothing, name) pairs (nothing: looked up by name from
# Main), emitting `event` (prepare.jl: "precompile", build_sysimage.jl: "package") with its index;
# the first that fails to load fails the script. Returns the PkgIds loaded.
function load_packages(entries, event::AbstractString)
    n = length(entries)
    loaded = Base.PkgId[]
    for (i, (id, name)) in enumerate(entries)
        try
            m = id === nothing ? Base.require(Main, Symbol(name)) : Base.require(id)
            push!(loaded, Base.PkgId(m))
        catch e
            msg = short_error(e)
            emit("event" => event, "name" => name, "index" => i, "total" => n, "ok" => false, "error" => msg)
            fail("cannot load package $name: $msg")
        end
        emit("event" => event, "name" => name, "index" => i, "total" => n, "ok" => true)
    end
    return loaded
end
