package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Spec is a parsed sweep file: one command, the settings every run shares, the grid and the
// seeds.
type Spec struct {
	File    string    // the sweep file, for messages
	Name    string    // "name", default the file's base name without its extension
	Command []string  // "command": fourdvar, learn, train, or experiment run NAME
	Fixed   []Setting // "flags": settings of every run
	Axes    []Axis    // "grid", in the file's order
	Seeds   []uint64  // "seeds"; nil when the runs take no seed from the sweep
	SeedKey string    // "seed_flag", default seed (set:seed for experiment run)
	Metric  string    // "metric": the table's default metric, default per command
}

// A Setting is one flag of a run. Key names a flag of the command (window: --window=VALUE),
// or, with the prefix "set:", a config key given to --set (set:lr: --set lr=VALUE).
type Setting struct {
	Key   string // a flag's name without dashes, or SetPrefix and a config key
	Value string // the value as written
	line  int    // where the key is in the file
}

// An Axis is one dimension of the grid.
type Axis struct {
	Name   string  // the axis's key in the grid
	Levels []Level // its levels in the file's order
	line   int     // where the axis starts in the file
}

// A Level is one value of an axis: a label for the tables and the settings it stands for.
// A scalar axis's level is one setting whose value is the label; a named axis's level is a
// group of settings under a label of the user's choice.
type Level struct {
	Label    string    // the level's name in tables and Run.Params
	Settings []Setting // the settings the level applies
}

// SetPrefix marks a setting given to --set rather than to a flag of its own.
const SetPrefix = "set:"

// Error is an error in a sweep file, at a line and, where there is one, a key.
type Error struct {
	File string // the sweep file
	Line int    // the line in it, from 1
	Key  string // dotted path of the key, such as grid.window; empty for the file as a whole
	Msg  string // what is wrong
}

// Error returns "file:line: message", with the key after the line when there is one.
func (e *Error) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Key, e.Msg)
}

// commands lists the commands a sweep can run, with the flag that takes the seed and the
// default metric of the table.
var commands = map[string]struct {
	seedKey, metric string
}{
	"fourdvar":   {"seed", "summary.rmse_analysis"},
	"learn":      {"seed", ""},
	"train":      {"seed", "test_loss"},
	"experiment": {SetPrefix + "seed", ""},
}

// ReadFile reads and parses the sweep file at path.
func ReadFile(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse parses a sweep file's contents; file names it in errors.
func Parse(file string, data []byte) (*Spec, error) {
	p := &parser{file: file, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	s := &Spec{File: file}
	if err := p.spec(s); err != nil {
		return nil, err
	}
	return s, nil
}

// parser walks the JSON tokens of a sweep file, keeping the offset of each so that errors
// name the line.
type parser struct {
	file string
	data []byte
	dec  *json.Decoder
	at   int64 // offset where the last token read starts
}

func (p *parser) line(off int64) int {
	off = min(max(off, 0), int64(len(p.data)))
	return 1 + bytes.Count(p.data[:off], []byte("\n"))
}

func (p *parser) errAt(off int64, key, format string, a ...any) error {
	return &Error{File: p.file, Line: p.line(off), Key: key, Msg: fmt.Sprintf(format, a...)}
}

func (p *parser) token(key string) (json.Token, error) {
	// The token starts after the whitespace, commas and colons that follow the previous one.
	off := p.dec.InputOffset()
	for off < int64(len(p.data)) && strings.IndexByte(" \t\r\n,:", p.data[off]) >= 0 {
		off++
	}
	p.at = off
	t, err := p.dec.Token()
	if err == io.EOF {
		return nil, p.errAt(off, key, "unexpected end of file")
	}
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		return nil, p.errAt(off, key, "%v", err)
	}
	return t, nil
}

// object reads an object, calling field for each key, in the file's order.
func (p *parser) object(key string, field func(k string, at int64) error) error {
	t, err := p.token(key)
	if err != nil {
		return err
	}
	if t != json.Delim('{') {
		return p.errAt(p.at, key, "want an object, found %s", describe(t))
	}
	seen := map[string]bool{}
	for p.dec.More() {
		t, err := p.token(key)
		if err != nil {
			return err
		}
		k := t.(string) // the decoder only gives strings as keys
		at := p.at
		path := join(key, k)
		if seen[k] {
			return p.errAt(at, path, "given twice")
		}
		seen[k] = true
		if err := field(k, at); err != nil {
			return err
		}
	}
	_, err = p.token(key)
	return err
}

func join(key, k string) string {
	if key == "" {
		return k
	}
	return key + "." + k
}

func describe(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		if v == '[' {
			return "an array"
		}
		return string(v)
	case string:
		return strconv.Quote(v)
	case nil:
		return "null"
	}
	return fmt.Sprint(t)
}

// scalar reads a string, number or boolean and returns it as the text of a flag value.
func (p *parser) scalar(key string) (string, error) {
	t, err := p.token(key)
	if err != nil {
		return "", err
	}
	switch v := t.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	}
	return "", p.errAt(p.at, key, "want a string, number or boolean, found %s", describe(t))
}

func (p *parser) str(key string) (string, error) {
	t, err := p.token(key)
	if err != nil {
		return "", err
	}
	s, ok := t.(string)
	if !ok {
		return "", p.errAt(p.at, key, "want a string, found %s", describe(t))
	}
	return s, nil
}

func (p *parser) spec(s *Spec) error {
	var seedKey, metric *string
	seenCommand := false
	err := p.object("", func(k string, at int64) error {
		switch k {
		case "name":
			v, err := p.str(k)
			if err == nil && !validName(v) {
				err = p.errAt(p.at, k, "%q: want letters, digits, '-', '_' or '.'", v)
			}
			s.Name = v
			return err
		case "command":
			v, err := p.str(k)
			if err != nil {
				return err
			}
			s.Command = strings.Fields(v)
			seenCommand = true
			return p.checkCommand(s.Command, at)
		case "flags":
			var err error
			s.Fixed, err = p.settings(k)
			return err
		case "grid":
			return p.object(k, func(name string, at int64) error {
				ax, err := p.axis(join(k, name), name, at)
				ax.line = p.line(at)
				s.Axes = append(s.Axes, ax)
				return err
			})
		case "seeds":
			seeds, err := p.seeds(k)
			s.Seeds = seeds
			return err
		case "seed_flag":
			v, err := p.str(k)
			seedKey = &v
			return err
		case "metric":
			v, err := p.str(k)
			metric = &v
			return err
		}
		return p.errAt(at, k, "unknown key (want name, command, flags, grid, seeds, seed_flag or metric)")
	})
	if err != nil {
		return err
	}
	if off := p.dec.InputOffset(); len(bytes.TrimSpace(p.data[off:])) > 0 {
		return p.errAt(off+int64(len(p.data[off:])-len(bytes.TrimLeft(p.data[off:], " \t\r\n"))), "", "text after the sweep's object")
	}
	if !seenCommand {
		return p.errAt(0, "command", "missing (want fourdvar, learn, train or experiment run NAME)")
	}
	if s.Name == "" {
		// The file's base name, made a folder name as "name" must be.
		s.Name = strings.Map(func(r rune) rune {
			if validName(string(r)) {
				return r
			}
			return '-'
		}, strings.TrimSuffix(filepath.Base(s.File), filepath.Ext(s.File)))
	}
	def := commands[s.Command[0]]
	s.SeedKey, s.Metric = def.seedKey, def.metric
	if seedKey != nil {
		s.SeedKey = *seedKey
	}
	if metric != nil {
		s.Metric = *metric
	}
	return s.checkNames()
}

func validName(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.", r)) {
			return false
		}
	}
	return true
}

func (p *parser) checkCommand(cmd []string, at int64) error {
	if len(cmd) == 0 {
		return p.errAt(at, "command", "empty (want fourdvar, learn, train or experiment run NAME)")
	}
	if _, ok := commands[cmd[0]]; !ok {
		return p.errAt(at, "command", "%q: want fourdvar, learn, train or experiment run NAME", cmd[0])
	}
	if cmd[0] == "experiment" {
		if len(cmd) != 3 || cmd[1] != "run" || cmd[2] == "all" {
			return p.errAt(at, "command", "%q: want experiment run NAME, one experiment", strings.Join(cmd, " "))
		}
	} else if len(cmd) != 1 {
		return p.errAt(at, "command", "%q: want the command alone, the flags under \"flags\"", strings.Join(cmd, " "))
	}
	return nil
}

// reserved are the flags the sweep sets itself.
var reserved = map[string]string{
	"out": "each run's output folder is the sweep's", "q": "runs are always quiet",
	"json": "the sweep reads the metrics file", "config": "use flags and set: keys",
}

func (p *parser) checkKey(path, k string, at int64) error {
	name := strings.TrimLeft(k, "-")
	if name == "" || strings.ContainsAny(name, " =") || name == SetPrefix {
		return p.errAt(at, path, "not a flag name (want a flag such as window, or set:KEY for --set KEY=VALUE)")
	}
	if why, ok := reserved[name]; ok {
		return p.errAt(at, path, "the sweep sets --%s itself: %s", name, why)
	}
	return nil
}

// settings reads an object of flags and their values.
func (p *parser) settings(path string) ([]Setting, error) {
	var out []Setting
	err := p.object(path, func(f string, at int64) error {
		v, err := p.scalar(join(path, f))
		if err == nil {
			err = p.checkKey(join(path, f), f, at)
		}
		out = append(out, Setting{Key: f, Value: v, line: p.line(at)})
		return err
	})
	return out, err
}

// axis reads one grid axis: an array of values of the flag name, or an object of labelled
// groups of settings.
func (p *parser) axis(path, name string, at int64) (Axis, error) {
	ax := Axis{Name: name}
	t, err := p.token(path)
	if err != nil {
		return ax, err
	}
	switch t {
	case json.Delim('['):
		if err := p.checkKey(path, name, at); err != nil {
			return ax, err
		}
		for p.dec.More() {
			v, err := p.scalar(path)
			if err != nil {
				return ax, err
			}
			ax.Levels = append(ax.Levels, Level{Label: v, Settings: []Setting{{Key: name, Value: v, line: p.line(at)}}})
		}
		if _, err := p.token(path); err != nil {
			return ax, err
		}
	case json.Delim('{'):
		for p.dec.More() {
			t, err := p.token(path)
			if err != nil {
				return ax, err
			}
			lv := Level{Label: t.(string)}
			if lv.Settings, err = p.settings(join(path, lv.Label)); err != nil {
				return ax, err
			}
			ax.Levels = append(ax.Levels, lv)
		}
		if _, err := p.token(path); err != nil {
			return ax, err
		}
	default:
		return ax, p.errAt(p.at, path, "want an array of values or an object of labelled flag groups, found %s", describe(t))
	}
	if len(ax.Levels) == 0 {
		return ax, p.errAt(at, path, "no values")
	}
	seen := map[string]bool{}
	for _, lv := range ax.Levels {
		if seen[lv.Label] {
			return ax, p.errAt(at, path, "value %q given twice", lv.Label)
		}
		seen[lv.Label] = true
	}
	return ax, nil
}

// seeds reads an array of seeds or a count n, meaning the seeds 1…n.
func (p *parser) seeds(key string) ([]uint64, error) {
	t, err := p.token(key)
	if err != nil {
		return nil, err
	}
	parse := func(t json.Token) (uint64, error) {
		n, ok := t.(json.Number)
		if !ok {
			return 0, p.errAt(p.at, key, "want a non-negative integer, found %s", describe(t))
		}
		v, err := strconv.ParseUint(n.String(), 10, 64)
		if err != nil {
			return 0, p.errAt(p.at, key, "%s: want a non-negative integer", n)
		}
		return v, nil
	}
	if t != json.Delim('[') {
		n, err := parse(t)
		if err != nil {
			return nil, err
		}
		if n == 0 || n > 1e6 {
			return nil, p.errAt(p.at, key, "%d: want a count of seeds in [1, 1000000] or an array of seeds", n)
		}
		seeds := make([]uint64, n)
		for i := range seeds {
			seeds[i] = uint64(i) + 1
		}
		return seeds, nil
	}
	at := p.at
	var seeds []uint64
	seen := map[uint64]bool{}
	for p.dec.More() {
		t, err := p.token(key)
		if err != nil {
			return nil, err
		}
		v, err := parse(t)
		if err != nil {
			return nil, err
		}
		if seen[v] {
			return nil, p.errAt(p.at, key, "seed %d given twice", v)
		}
		seen[v] = true
		seeds = append(seeds, v)
	}
	if len(seeds) == 0 {
		return nil, p.errAt(at, key, "no seeds")
	}
	_, err = p.token(key)
	return seeds, err
}

// CheckKeys asks check about the key of every setting in the file, as written without
// leading dashes (window, set:lr), and returns the first complaint as an Error at the key's
// line: a misspelt flag is caught before any run starts.
func (s *Spec) CheckKeys(check func(key string) error) error {
	var all []Setting
	all = append(all, s.Fixed...)
	for _, ax := range s.Axes {
		for _, lv := range ax.Levels {
			all = append(all, lv.Settings...)
		}
	}
	for _, st := range all {
		if err := check(strings.TrimLeft(st.Key, "-")); err != nil {
			return &Error{File: s.File, Line: st.line, Key: st.Key, Msg: err.Error()}
		}
	}
	return nil
}

// checkNames rejects axes that the tables could not tell apart: two of one name, or an axis
// named like the seed.
func (s *Spec) checkNames() error {
	for _, ax := range s.Axes {
		if ax.Name == SeedAxis && s.Seeds != nil {
			return &Error{File: s.File, Line: ax.line, Key: "grid." + ax.Name, Msg: "an axis named seed and \"seeds\" both given: use one"}
		}
		if ax.Name == s.SeedKey && s.Seeds != nil {
			return &Error{File: s.File, Line: ax.line, Key: "grid." + ax.Name, Msg: "the seed flag is also an axis: list the seeds under \"seeds\""}
		}
	}
	return nil
}
