// Two small buildpacks of Gantry's own for the real-builds test tier. Public buildpacks cannot be had on the
// project's machines (Paketo's and Google's are not served by the Go module proxy here, and their images cannot
// be pulled), so these do, with the real lifecycle, what real ones do: procfile turns a Procfile into process
// types as Paketo's procfile buildpack does, and deps fills or restores a cache layer with dependencies fetched
// over HTTP, as heavy language buildpacks (pip, npm, maven) do.
module gantry.test/buildpacks

go 1.24
