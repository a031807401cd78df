package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// readmeCommands returns the "go run ./cmd/adjunto ..." lines of the README's sh blocks, each
// as its arguments after the command name, with the trailing comment removed.
func readmeCommands(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const prefix = "go run ./cmd/adjunto"
	var cmds [][]string
	inSh := false
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(text, "```"):
			inSh = !inSh && text == "```sh"
			continue
		case !inSh || !strings.HasPrefix(text, prefix+" ") && text != prefix:
			continue
		}
		if i := strings.Index(text, " #"); i >= 0 {
			text = text[:i]
		}
		if strings.ContainsAny(text, `"'[]|&;<>$`) {
			t.Errorf("README.md:%d: %q: write commands a test can split into words, without quotes, brackets or shell syntax", line, text)
			continue
		}
		cmds = append(cmds, strings.Fields(text)[len(strings.Fields(prefix)):])
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cmds
}

// tinySurrogate shrinks learn-surrogate to a few seconds (the experiments' tests check what
// the full training learns); prefix is "" or "learn-surrogate." for "experiment run all".
func tinySurrogate(prefix string) []string {
	var sets []string
	for _, s := range []string{"train_steps=60", "stages=5:0:20,10:0.5:20", "supervised_iterations=-1",
		"forecast_starts=4", "forecast_leads=20", "cycles=6", "lyapunov_steps=100"} {
		sets = append(sets, "--set", prefix+s)
	}
	return sets
}

// readmeBudget returns the arguments that keep one README command within a test's budget:
// the same command, with shorter runs where its default takes more than a few seconds.
func readmeBudget(args []string) []string {
	has := func(s ...string) bool {
		for _, a := range s {
			if !slices.Contains(args, a) {
				return false
			}
		}
		return true
	}
	switch {
	case has("fourdvar", "--setup"):
		return []string{"--cycles", "30"}
	case has("ensemble"):
		return []string{"--obs-times", "40", "--burn-in", "10"}
	case has("sweep"):
		return []string{"--dry-run", "--out", "out/sweep/readme"}
	case has("learn", "--what"):
		return tinySurrogate("")
	case has("learn"):
		return []string{"--set", "windows=3", "--set", "iterations=200"}
	case has("experiment", "run", "learn-surrogate"):
		return tinySurrogate("")
	case has("experiment", "run", "all"):
		return append(tinySurrogate("learn-surrogate."), "--set", "lorenz96-4dvar.cycles=4", "--set", "window-length.windows=4,8",
			"--set", "window-length.span=16", "--set", "window-length.b_sigmas=0.3", "--set", "learn-parameters.windows=3",
			"--set", "learn-parameters.iterations=100", "-q")
	case has("report"):
		return []string{"--only", "activations,hessian-2d", "-q"}
	}
	return nil
}

// TestReadmeCommands runs every "go run ./cmd/adjunto ..." line of the README's sh blocks, in
// order, with a binary built once, in an empty directory that has the repository's examples/
// and sweeps/:
// each must exit 0 and write the --out it names. Long runs get a shorter budget (readmeBudget).
// This keeps the README's commands, and the sample files they read, from rotting.
func TestReadmeCommands(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cmds := readmeCommands(t, filepath.Join(root, "README.md"))
	if len(cmds) < 10 {
		t.Fatalf("found %d adjunto commands in README.md; the parser is broken", len(cmds))
	}
	if testing.Short() {
		t.Skipf("-short: builds adjunto and runs the README's %d commands (half a minute); the other tests run the same code", len(cmds))
	}
	bin := filepath.Join(t.TempDir(), "adjunto")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	inputs := []string{"examples", "sweeps"} // the repository's folders the commands read
	for _, d := range inputs {
		if err := os.Symlink(filepath.Join(root, d), filepath.Join(dir, d)); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range cmds {
		line := strings.Join(args, " ")
		cmd := exec.Command(bin, append(slices.Clone(args), readmeBudget(args)...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("adjunto %s: %v\n%s", line, err, out)
			continue
		}
		if i := slices.Index(args, "--out"); i >= 0 && i+1 < len(args) {
			if _, err := os.Stat(filepath.Join(dir, args[i+1])); err != nil {
				t.Errorf("adjunto %s: %v", line, err)
			}
		}
	}
	// Every default output goes under out/, which git ignores.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "out" && !slices.Contains(inputs, e.Name()) {
			t.Errorf("the README's commands wrote %s outside out/", e.Name())
		}
	}
}
