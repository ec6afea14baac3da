// procfile: detects when the app has a Procfile, and contributes one process type per line, `web` as the
// default, each run by bash as Paketo's procfile buildpack does on a full (non-tiny) stack.
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

var line = regexp.MustCompile(`^([A-Za-z0-9_-]+):\s*(.+)$`)

func parseProcfile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	procs := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		m := line.FindStringSubmatch(text)
		if m == nil {
			return nil, fmt.Errorf("Procfile: cannot read line %q (want `name: command`)", text)
		}
		procs[m[1]] = m[2]
	}
	return procs, sc.Err()
}

func tomlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func detect() int {
	if _, err := os.Stat("Procfile"); err != nil {
		return 100
	}
	return 0
}

func build() int {
	procs, err := parseProcfile("Procfile")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	names := make([]string, 0, len(procs))
	for n := range procs {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Printf("  Process type %s: %s\n", n, procs[n])
		fmt.Fprintf(&b, "[[processes]]\ntype = %s\ncommand = [\"bash\", \"-c\", %s]\ndefault = %t\n\n", tomlString(n), tomlString(procs[n]), n == "web")
	}
	layers := os.Getenv("CNB_LAYERS_DIR")
	if err := os.WriteFile(filepath.Join(layers, "launch.toml"), []byte(b.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func main() {
	switch filepath.Base(os.Args[0]) {
	case "detect":
		os.Exit(detect())
	case "build":
		os.Exit(build())
	default:
		fmt.Fprintln(os.Stderr, "run as bin/detect or bin/build")
		os.Exit(2)
	}
}
