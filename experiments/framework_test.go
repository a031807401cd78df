package experiments

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"
)

type testConfig struct {
	Rate   float64       `json:"rate" help:"a rate"`
	Steps  int           `json:"steps"`
	Seed   uint64        `json:"seed"`
	Name   string        `json:"name"`
	On     bool          `json:"on"`
	Sizes  []int         `json:"sizes"`
	Wait   time.Duration `json:"wait"`
	hidden int
	NoTag  int
}

func TestSet(t *testing.T) {
	for _, c := range []struct {
		key, value string
		check      func(c *testConfig) bool
	}{
		{"rate", "1e-3", func(c *testConfig) bool { return c.Rate == 1e-3 }},
		{"steps", "0x10", func(c *testConfig) bool { return c.Steps == 16 }},
		{"seed", "42", func(c *testConfig) bool { return c.Seed == 42 }},
		{"name", " tanh ", func(c *testConfig) bool { return c.Name == "tanh" }},
		{"on", "true", func(c *testConfig) bool { return c.On }},
		{"sizes", "1, 16,64", func(c *testConfig) bool { return len(c.Sizes) == 3 && c.Sizes[1] == 16 && c.Sizes[2] == 64 }},
		{"sizes", "", func(c *testConfig) bool { return c.Sizes != nil && len(c.Sizes) == 0 }},
		{"wait", "1.5s", func(c *testConfig) bool { return c.Wait == 1500*time.Millisecond }},
	} {
		cfg := testConfig{Sizes: []int{7}}
		if err := Set(&cfg, c.key, c.value); err != nil {
			t.Errorf("Set(%s, %q): %v", c.key, c.value, err)
			continue
		}
		if !c.check(&cfg) {
			t.Errorf("Set(%s, %q) gave %+v", c.key, c.value, cfg)
		}
	}
}

func TestSetErrors(t *testing.T) {
	for _, c := range []struct {
		key, value string
		want       error
		mention    []string
	}{
		{"rates", "1", ErrUnknownKey, []string{`"rates"`, "rate, steps, seed"}},
		{"hidden", "1", ErrUnknownKey, nil},
		{"NoTag", "1", ErrUnknownKey, nil},
		{"rate", "fast", ErrBadValue, []string{"rate", "number"}},
		{"steps", "2.5", ErrBadValue, []string{"steps", "integer"}},
		{"seed", "-1", ErrBadValue, []string{"seed", "non-negative integer"}},
		{"on", "maybe", ErrBadValue, []string{"on", "boolean"}},
		{"sizes", "1,x", ErrBadValue, []string{"sizes", "item 2"}},
		{"wait", "5", ErrBadValue, []string{"wait", "duration"}},
	} {
		cfg := testConfig{Rate: 0.5}
		err := Set(&cfg, c.key, c.value)
		if !errors.Is(err, c.want) {
			t.Errorf("Set(%s, %q): error %v, want %v", c.key, c.value, err, c.want)
			continue
		}
		for _, s := range c.mention {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("Set(%s, %q): error %q does not mention %q", c.key, c.value, err, s)
			}
		}
		if cfg.Rate != 0.5 {
			t.Errorf("Set(%s, %q) changed the config on error", c.key, c.value)
		}
	}
}

func TestParseAssignment(t *testing.T) {
	k, v, err := ParseAssignment("lr=a=b")
	if err != nil || k != "lr" || v != "a=b" {
		t.Errorf("ParseAssignment(lr=a=b) = %q, %q, %v", k, v, err)
	}
	for _, s := range []string{"lr", "=3", ""} {
		if _, _, err := ParseAssignment(s); !errors.Is(err, ErrBadValue) {
			t.Errorf("ParseAssignment(%q): error %v, want ErrBadValue", s, err)
		}
	}
}

func TestDecodeConfigRejectsUnknownKeys(t *testing.T) {
	cfg := testConfig{Steps: 9}
	if err := DecodeConfig(&cfg, []byte(`{"rate": 2}`)); err != nil || cfg.Rate != 2 || cfg.Steps != 9 {
		t.Errorf("DecodeConfig: %v, %+v", err, cfg)
	}
	if err := DecodeConfig(&cfg, []byte(`{"rat": 2}`)); !errors.Is(err, ErrBadValue) {
		t.Errorf("DecodeConfig with a misspelt key: %v", err)
	}
}

func TestFieldsOfEveryExperiment(t *testing.T) {
	for _, e := range All() {
		fs := Fields(e.DefaultConfig())
		if len(fs) == 0 {
			t.Errorf("%s: config has no settable field", e.Name)
		}
		for _, f := range fs {
			if f.Help == "" {
				t.Errorf("%s: key %s has no help tag", e.Name, f.Key)
			}
			// Every default must read back through Set: what show prints can be pasted.
			cfg := e.DefaultConfig()
			if err := Set(cfg, f.Key, f.Value); err != nil {
				t.Errorf("%s: Set(%s, %q) of the printed default: %v", e.Name, f.Key, f.Value, err)
			}
		}
		if v, ok := e.DefaultConfig().(Validator); ok {
			if err := v.Validate(); err != nil {
				t.Errorf("%s: default config invalid: %v", e.Name, err)
			}
		}
		if e.Summary == "" || e.Caption == "" {
			t.Errorf("%s: no summary or caption", e.Name)
		}
	}
}

func TestLookup(t *testing.T) {
	if _, err := Lookup("activations"); err != nil {
		t.Error(err)
	}
	_, err := Lookup("activation")
	if !errors.Is(err, ErrUnknownExperiment) || !strings.Contains(err.Error(), "activations") {
		t.Errorf("Lookup(activation): %v", err)
	}
}

func TestEncodeJSONNonFinite(t *testing.T) {
	type inner struct {
		V float64 `json:"v"`
	}
	v := struct {
		A  float64            `json:"a"`
		B  []float64          `json:"b"`
		C  map[string]float64 `json:"c"`
		D  *inner             `json:"d"`
		E  string             `json:"e,omitempty"`
		Z  int                `json:"z"`
		un int
	}{A: math.NaN(), B: []float64{1, math.Inf(1)}, C: map[string]float64{"y": math.Inf(-1), "x": 0.5}, D: &inner{2}, Z: 3}
	b, err := encodeJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if got["a"] != "NaN" || got["b"].([]any)[1] != "+Inf" || got["c"].(map[string]any)["y"] != "-Inf" {
		t.Errorf("non-finite values not encoded as strings: %s", b)
	}
	if _, ok := got["e"]; ok {
		t.Errorf("omitempty field written: %s", b)
	}
	// Field order is declaration order.
	if strings.Index(string(b), `"a"`) > strings.Index(string(b), `"z"`) {
		t.Errorf("fields out of order: %s", b)
	}
}

type fakeConfig struct {
	Fail bool    `json:"fail" help:"fail the run"`
	X    float64 `json:"x" help:"a number"`
}

type fakeMetrics struct {
	X float64 `json:"x"`
}

func fakeExperiment() *Experiment {
	return Define("fake", "a test experiment", "A caption.",
		func() fakeConfig { return fakeConfig{X: 1} },
		func(ctx context.Context, c *fakeConfig, out *Output) (fakeMetrics, error) {
			p := newPlot("fake", "x", "y")
			addLine(p, "line", []float64{0, 1}, []float64{0, c.X}, seriesColor(0), false)
			if err := out.SavePlot("line", "A line.", p, 3*vg.Inch, 2*vg.Inch); err != nil {
				return fakeMetrics{}, err
			}
			if c.Fail {
				return fakeMetrics{}, errors.New("asked to fail")
			}
			out.Progressf("done")
			return fakeMetrics{X: c.X}, nil
		})
}

// TestRunKeepsEarlierResultOnFailure guards the promise that a failed run leaves the earlier
// result in its directory and what it made beside it, in DIR.failed.
func TestRunKeepsEarlierResultOnFailure(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "fake")
	e := fakeExperiment()
	cfg := e.DefaultConfig()
	var msgs []string
	r, err := e.Run(context.Background(), cfg, dir, &Options{Progress: func(m string) { msgs = append(msgs, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0] != "done" {
		t.Errorf("progress messages %q", msgs)
	}
	for _, f := range []string{"line.png", "line.svg", MetricsFile, ConfigFile, ManifestFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	loaded, err := LoadResult(dir)
	if err != nil {
		t.Fatal(err)
	}
	if compact(loaded.Metrics) != compact(r.Metrics) || len(loaded.Figures) != 1 || loaded.Figures[0].PNG != "line.png" {
		t.Errorf("loaded result %+v differs from %+v", loaded, r)
	}

	if err := Set(cfg, "fail", "true"); err != nil {
		t.Fatal(err)
	}
	if err := Set(cfg, "x", "7"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(context.Background(), cfg, dir, nil); err == nil || !strings.Contains(err.Error(), "asked to fail") {
		t.Fatalf("failing run: error %v", err)
	}
	again, err := LoadResult(dir)
	if err != nil {
		t.Fatal(err)
	}
	if compact(again.Metrics) != compact(r.Metrics) {
		t.Errorf("a failed run replaced the earlier metrics: %s", again.Metrics)
	}
	ents, _ := os.ReadDir(root)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"fake", "fake.failed"}) {
		t.Errorf("root holds %v, want fake and fake.failed", names)
	}
	if _, err := os.Stat(filepath.Join(dir+".failed", "line.png")); err != nil {
		t.Errorf("the failed run's figure was not kept: %v", err)
	}
}

func TestRunRejectsInvalidConfig(t *testing.T) {
	e, _ := Lookup("activations")
	cfg := e.DefaultConfig()
	if err := Set(cfg, "points", "1"); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "a")
	if _, err := e.Run(context.Background(), cfg, dir, nil); !errors.Is(err, ErrBadValue) {
		t.Errorf("error %v, want ErrBadValue", err)
	}
}

func TestRunUnwritableDir(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	e := fakeExperiment()
	if _, err := e.Run(context.Background(), e.DefaultConfig(), filepath.Join(file, "fake"), nil); !errors.Is(err, ErrOutput) {
		t.Errorf("error %v, want ErrOutput", err)
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e, _ := Lookup("optimizers")
	dir := filepath.Join(t.TempDir(), "o")
	if _, err := e.Run(ctx, e.DefaultConfig(), dir, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("a cancelled run left %s", dir)
	}
}

func TestWriteReport(t *testing.T) {
	root := t.TempDir()
	e := fakeExperiment()
	r, err := e.Run(context.Background(), e.DefaultConfig(), filepath.Join(root, "fake"), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = WriteReport(root, []ReportEntry{
		{Name: "fake", Result: r},
		{Name: "broken", Err: errors.New("it <broke>")},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, s := range []string{`<img src="fake/line.png"`, "A caption.", "A line.", `href="fake/line.svg"`,
		"<th>x</th><td>1</td>", "it &lt;broke&gt;", `id="broken"`, "adjunto experiment run fake --config fake/config.json --out ."} {
		if !strings.Contains(html, s) {
			t.Errorf("index.html lacks %q", s)
		}
	}
	if strings.Contains(strings.ToLower(html), "<script") {
		t.Error("index.html has a script")
	}
}

func TestMetricTables(t *testing.T) {
	raw := json.RawMessage(`{"z": 1.5, "runs": [{"method": "adam", "J": 0.25}, {"method": "sgd", "J": 1, "extra": true}], "a": {"b": [1, 2]}}`)
	ts := metricTables(raw)
	if len(ts) != 2 {
		t.Fatalf("%d tables, want scalars and runs", len(ts))
	}
	if ts[0].Rows[0][0] != "z" || ts[0].Rows[1][0] != "a.b" || ts[0].Rows[1][1] != "[1, 2]" {
		t.Errorf("scalar table %v: want document order with nested keys dotted", ts[0].Rows)
	}
	if ts[1].Title != "runs" || ts[1].Header[0] != "method" || len(ts[1].Rows) != 2 || ts[1].Rows[1][2] != "true" {
		t.Errorf("runs table %+v", ts[1])
	}
}

func compact(b []byte) string {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return "invalid JSON: " + err.Error()
	}
	return out.String()
}

// TestEmbeddedConfigFlattened guards that the fields of an embedded struct are keys of the
// config itself, in Set, in Fields and in the JSON written and read back.
func TestEmbeddedConfigFlattened(t *testing.T) {
	type base struct {
		Seed uint64 `json:"seed" help:"seed"`
	}
	type cfg struct {
		base
		Steps int `json:"steps" help:"steps"`
	}
	c := cfg{Steps: 1}
	if err := Set(&c, "seed", "9"); err != nil || c.Seed != 9 {
		t.Fatalf("Set(seed): %v, %+v", err, c)
	}
	if fs := Fields(&c); len(fs) != 2 || fs[0].Key != "seed" {
		t.Errorf("Fields: %+v", fs)
	}
	b, err := encodeJSON(&c)
	if err != nil {
		t.Fatal(err)
	}
	if compact(b) != `{"seed":9,"steps":1}` {
		t.Errorf("encoded %s", b)
	}
	var d cfg
	if err := DecodeConfig(&d, b); err != nil || d != c {
		t.Errorf("decoded %+v, %v", d, err)
	}
}
