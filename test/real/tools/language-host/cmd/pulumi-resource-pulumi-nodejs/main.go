// The dynamic-provider plugin Pulumi ships beside its CLI (pulumi-resource-pulumi-nodejs), for the real-engine tier:
// the engine starts it in the program's folder, and it becomes node running @pulumi/pulumi's dynamic provider from
// that project's node_modules, with the engine's arguments passed through.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

func main() {
	cwd, err := os.Getwd()
	if err != nil {
		fail(err)
	}
	provider := ""
	for d := cwd; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js")
		if _, err := os.Stat(candidate); err == nil {
			provider = candidate
			break
		}
		if filepath.Dir(d) == d {
			fail(fmt.Errorf("no node_modules/@pulumi/pulumi above %s: run npm ci in the project", cwd))
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		fail(err)
	}
	// exec, not a child: the engine signals and waits for this process, which must be node itself.
	fail(syscall.Exec(node, append([]string{node, provider}, os.Args[1:]...), os.Environ()))
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "pulumi-resource-pulumi-nodejs: %v\n", err)
	os.Exit(1)
}
