# json_writer.jl: hand-written JSON output for the server's Julia scripts (probe.jl,
# build_sysimage.jl). Base Julia has no JSON package, and the scripts must run in any Julia >= 1.5
# without packages. Strings are escaped per RFC 8259; invalid UTF-8 becomes U+FFFD.

function json_string(io::IO, s::AbstractString)
    print(io, '"')
    for c in s
        if !isvalid(c)
            print(io, "\\ufffd")
        elseif c == '"'
            print(io, "\\\"")
        elseif c == '\\'
            print(io, "\\\\")
        elseif c == '\n'
            print(io, "\\n")
        elseif c == '\r'
            print(io, "\\r")
        elseif c == '\t'
            print(io, "\\t")
        elseif UInt32(c) < 0x20 || c == '\x7f'
            print(io, "\\u", string(UInt32(c), base = 16, pad = 4))
        else
            print(io, c)
        end
    end
    print(io, '"')
end

json_value(io::IO, s::AbstractString) = json_string(io, s)
json_value(io::IO, b::Bool) = print(io, b ? "true" : "false")
json_value(io::IO, n::Integer) = print(io, n)
function json_value(io::IO, v::AbstractVector)
    print(io, '[')
    for (i, x) in enumerate(v)
        i > 1 && print(io, ',')
        json_value(io, x)
    end
    print(io, ']')
end

function json_object(io::IO, pairs)
    print(io, '{')
    for (i, (k, v)) in enumerate(pairs)
        i > 1 && print(io, ',')
        json_string(io, k)
        print(io, ':')
        json_value(io, v)
    end
    print(io, '}')
end

"""`{"k":v,...}` on one line for `pairs` of key => value (strings, booleans, integers, vectors)."""
function json_line(pairs...)
    io = IOBuffer()
    json_object(io, pairs)
    return String(take!(io))
end
