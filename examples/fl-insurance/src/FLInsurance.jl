# FLInsurance: the analysis of the demo project. It reads the Florida insurance sample (36,634
# policies) with DelimitedFiles and summarises it with Statistics. On a fresh Julia almost all of its
# run time is compilation (TTFX), which the project's sysimage removes: the server bakes the project's
# own package into the image along with its dependencies.
#
# Works with the stdlibs only, on Julia 1.5 and later.
module FLInsurance

using DelimitedFiles
using Statistics

export main

const CSV_PATH = joinpath(@__DIR__, "..", "data", "FL_insurance_sample.csv")

fmt(x::Real; digits = 1) = string(round(x; digits = digits))
money(x::Real) = string(round(Int, x / 1_000), "k")

function column(data::AbstractMatrix, header::AbstractVector, name::AbstractString)
    j = findfirst(isequal(name), header)
    j === nothing && error("column $name not in $CSV_PATH")
    return data[:, j]
end

# Numeric cells come back as Int or Float64; a few cells of the sample are empty (""): NaN.
numeric(col::AbstractVector) = Float64[x isa Real ? Float64(x) : NaN for x in col]
present(x::Vector{Float64}) = filter(!isnan, x)

function describe(name::AbstractString, all::Vector{Float64})
    x = present(all)
    q1, q3 = quantile(x, [0.25, 0.75])
    println(rpad(name, 16), lpad(money(mean(x)), 9), lpad(money(median(x)), 9),
            lpad(money(std(x)), 10), lpad(money(q1), 9), lpad(money(q3), 9),
            lpad(money(maximum(x)), 11), lpad(length(all) - length(x), 9))
end

function main(path::AbstractString = CSV_PATH)
    data, header = readdlm(path, ','; header = true)
    header = String.(vec(header))
    println("Read ", size(data, 1), " policies with ", size(data, 2), " columns from ",
            basename(path))

    println()
    println(rpad("column", 16), lpad("mean", 9), lpad("median", 9), lpad("std", 10),
            lpad("q25", 9), lpad("q75", 9), lpad("max", 11), lpad("empty", 9))
    for name in ("tiv_2011", "tiv_2012", "eq_site_limit", "hu_site_limit", "fl_site_limit")
        describe(name, numeric(column(data, header, name)))
    end

    county = String.(column(data, header, "county"))
    tiv2011 = numeric(column(data, header, "tiv_2011"))
    tiv2012 = numeric(column(data, header, "tiv_2012"))

    by_county = Dict{String,Vector{Int}}()
    for (i, c) in enumerate(county)
        push!(get!(by_county, c, Int[]), i)
    end
    totals = sort!([(sum(present(tiv2012[rows])), c) for (c, rows) in by_county]; rev = true)

    println()
    println(length(by_county), " counties; the 10 largest by total insured value in 2012:")
    println(rpad("county", 22), lpad("policies", 9), lpad("mean 2012", 11), lpad("median 2012", 13),
            lpad("growth %", 10))
    for (total, c) in totals[1:min(10, end)]
        rows = by_county[c]
        both = filter(i -> !isnan(tiv2011[i]) && !isnan(tiv2012[i]), rows)
        growth = 100 * (sum(tiv2012[both]) / sum(tiv2011[both]) - 1)
        v2012 = present(tiv2012[rows])
        println(rpad(c, 22), lpad(length(rows), 9), lpad(money(mean(v2012)), 11),
                lpad(money(median(v2012)), 13), lpad(fmt(growth), 10))
    end

    line = String.(column(data, header, "line"))
    construction = String.(column(data, header, "construction"))
    println()
    println(rpad("line / construction", 34), lpad("policies", 9), lpad("mean 2012", 11))
    for key in sort!(unique(zip(line, construction)))
        rows = findall(i -> (line[i], construction[i]) == key, eachindex(line))
        println(rpad(string(key[1], " / ", key[2]), 34), lpad(length(rows), 9),
                lpad(money(mean(present(tiv2012[rows]))), 11))
    end

    lat = numeric(column(data, header, "point_latitude"))
    both = filter(i -> !isnan(lat[i]) && !isnan(tiv2012[i]), eachindex(lat))
    println()
    println("correlation of latitude and 2012 value: ", fmt(cor(lat[both], tiv2012[both]); digits = 3))
end

end # module
