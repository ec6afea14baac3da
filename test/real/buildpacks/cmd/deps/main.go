// deps: detects when the app has a deps.txt, and works as pip or npm do in a language buildpack: the dependencies
// it lists are downloaded into a cache-only layer, from the package server named by the DEPS_URL build env (with
// DEPS_TOKEN, a secret build env, as a bearer token when set), then installed into the launch layer the image
// carries. When the cache restored the downloads for the same deps.txt, nothing is fetched (the path that turns a
// 30-minute PyTorch build into a 3-minute one) but the install still runs. A dependency the server does not have
// fails the build, as pip does.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

func platformEnv(name string) string {
	b, err := os.ReadFile(filepath.Join(os.Getenv("CNB_PLATFORM_DIR"), "env", name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func detect() int {
	if _, err := os.Stat("deps.txt"); err != nil {
		return 100
	}
	return 0
}

func readDeps() ([]string, string, error) {
	raw, err := os.ReadFile("deps.txt")
	if err != nil {
		return nil, "", err
	}
	var deps []string
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			deps = append(deps, l)
		}
	}
	sum := sha256.Sum256(raw)
	return deps, hex.EncodeToString(sum[:]), nil
}

var restoredSha = regexp.MustCompile(`(?m)^\s*sha\s*=\s*"([0-9a-f]+)"`)

func downloadsToml(sha string) string {
	return fmt.Sprintf("[types]\nbuild = false\ncache = true\nlaunch = false\n\n[metadata]\nsha = %q\n", sha)
}

// install copies the downloads into the launch layer, as pip installs wheels from its cache into site-packages.
func install(layers string, downloads string) error {
	packages := filepath.Join(layers, "packages")
	if err := os.RemoveAll(packages); err != nil {
		return err
	}
	if err := os.MkdirAll(packages, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(downloads)
	if err != nil {
		return err
	}
	for _, e := range entries {
		in, err := os.Open(filepath.Join(downloads, e.Name()))
		if err != nil {
			return err
		}
		out, err := os.Create(filepath.Join(packages, e.Name()))
		if err == nil {
			_, err = io.Copy(out, in)
			out.Close()
		}
		in.Close()
		if err != nil {
			return err
		}
	}
	fmt.Printf("  Installed %d packages\n", len(entries))
	return os.WriteFile(filepath.Join(layers, "packages.toml"), []byte("[types]\nbuild = false\ncache = false\nlaunch = true\n"), 0o644)
}

func fetch(url, token, dest string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d", url, res.StatusCode)
	}
	f, err := os.Create(dest)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, res.Body)
	return err
}

func writeSbom(layers string, deps []string) error {
	type component struct {
		Type    string `json:"type"`
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	comps := []component{}
	for _, d := range deps {
		name, version, _ := strings.Cut(d, "==")
		comps = append(comps, component{Type: "library", Name: name, Version: version})
	}
	doc, err := json.MarshalIndent(map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1, "components": comps}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(layers, "packages.sbom.cdx.json"), doc, 0o644)
}

func build() error {
	layers := os.Getenv("CNB_LAYERS_DIR")
	deps, sha, err := readDeps()
	if err != nil {
		return err
	}
	dir := filepath.Join(layers, "downloads")
	meta := filepath.Join(layers, "downloads.toml")
	if prev, err := os.ReadFile(meta); err == nil {
		if m := restoredSha.FindSubmatch(prev); m != nil && string(m[1]) == sha {
			if _, err := os.Stat(dir); err == nil {
				fmt.Printf("  Reusing %d cached dependencies (deps.txt %s)\n", len(deps), sha[:12])
				if err := os.WriteFile(meta, []byte(downloadsToml(sha)), 0o644); err != nil {
					return err
				}
				if err := install(layers, dir); err != nil {
					return err
				}
				return writeSbom(layers, deps)
			}
		}
	}
	base := platformEnv("DEPS_URL")
	if base == "" {
		return fmt.Errorf("DEPS_URL is not set in the build env")
	}
	token := platformEnv("DEPS_TOKEN")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, d := range deps {
		fmt.Printf("  Fetching %s\n", d)
		if err := fetch(strings.TrimRight(base, "/")+"/"+d, token, filepath.Join(dir, strings.ReplaceAll(d, "/", "_"))); err != nil {
			return fmt.Errorf("dependency %s: %w", d, err)
		}
	}
	if err := os.WriteFile(meta, []byte(downloadsToml(sha)), 0o644); err != nil {
		return err
	}
	if err := install(layers, dir); err != nil {
		return err
	}
	return writeSbom(layers, deps)
}

func main() {
	switch filepath.Base(os.Args[0]) {
	case "detect":
		os.Exit(detect())
	case "build":
		if err := build(); err != nil {
			fmt.Fprintf(os.Stderr, "ERROR: deps: %v\n", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "run as bin/detect or bin/build")
		os.Exit(2)
	}
}
