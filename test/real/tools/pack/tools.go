//go:build tools

// Keeps pack in this module's requirements; the binary is built with `go build github.com/buildpacks/pack`.
package tools

import _ "github.com/buildpacks/pack"
