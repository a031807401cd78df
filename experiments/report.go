package experiments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// ReportEntry is one experiment in the report: its result when it has one, or the reason why
// not.
type ReportEntry struct {
	// Name of the experiment; for a result that is Result.Name.
	Name string
	// Result of the run, nil if the run failed or was not made.
	Result *Result
	// Err says why there is no result.
	Err error
	// Reused tells that the result was found on disk rather than computed now.
	Reused bool
}

// WriteReport writes index.html into dir: one static page with, for every entry, the
// experiment's caption, its figures (linked relative to dir/NAME/, as Experiment.Run lays them
// out), its metrics as tables, its text tables and its config. The page needs no server and no
// JavaScript. It is written atomically.
func WriteReport(dir string, entries []ReportEntry) error {
	page := reportPage{Title: "adjunto: the course's figures"}
	for _, e := range entries {
		s := reportSection{Name: e.Name, Reused: e.Reused}
		if e.Err != nil {
			s.Error = e.Err.Error()
		}
		if r := e.Result; r != nil {
			s.Summary, s.Caption, s.Elapsed = r.Summary, r.Caption, fmt.Sprintf("%.1f s", r.Elapsed)
			for _, f := range r.Figures {
				// Link only the files that are there: a report may be built from results
				// trimmed to their PNGs for publishing.
				has := func(name string) bool {
					if name == "" {
						return false
					}
					_, err := os.Stat(filepath.Join(dir, e.Name, name))
					return err == nil
				}
				if !has(f.PNG) {
					f.PNG = ""
				}
				if !has(f.SVG) {
					f.SVG = ""
				}
				if !has(f.GIF) {
					f.GIF = ""
				}
				rf := reportFigure{Caption: f.Caption}
				switch {
				case f.PNG != "":
					rf.Src = path.Join(e.Name, f.PNG)
				case f.GIF != "":
					rf.Src = path.Join(e.Name, f.GIF)
				}
				if f.SVG != "" {
					rf.Links = append(rf.Links, reportLink{"SVG", path.Join(e.Name, f.SVG)})
				}
				if f.PNG != "" {
					rf.Links = append(rf.Links, reportLink{"PNG", path.Join(e.Name, f.PNG)})
				}
				if f.GIF != "" {
					rf.Links = append(rf.Links, reportLink{"GIF", path.Join(e.Name, f.GIF)})
				}
				s.Figures = append(s.Figures, rf)
			}
			s.Tables = r.Tables
			s.Metrics = metricTables(r.Metrics)
			var cfg bytes.Buffer
			if json.Indent(&cfg, r.Config, "", "  ") == nil {
				s.Config = cfg.String()
			}
			s.Command = reproduceCommand(e.Name, r.Config)
			s.Files = []reportLink{{"metrics.json", path.Join(e.Name, MetricsFile)}, {"config.json", path.Join(e.Name, ConfigFile)}}
		}
		page.Sections = append(page.Sections, s)
	}
	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, page); err != nil {
		return fmt.Errorf("experiments: report: %v", err)
	}
	return writeFileAtomic(path.Join(dir, "index.html"), b.Bytes())
}

type reportPage struct {
	Title    string
	Sections []reportSection
}

type reportSection struct {
	Name, Summary, Caption, Elapsed, Error, Config, Command string
	Reused                                                  bool
	Figures                                                 []reportFigure
	Metrics                                                 []metricTable
	Tables                                                  []Table
	Files                                                   []reportLink
}

type reportFigure struct {
	Src, Caption string
	Links        []reportLink
}

type reportLink struct{ Text, Href string }

// metricTable is a table of metrics: either key/value rows (Header nil, two columns) or, for
// an array of objects, one row per object with a column per key.
type metricTable struct {
	Title  string
	Header []string
	Rows   [][]string
}

// metricTables lays the metrics JSON out as tables: scalars (with nested objects flattened to
// dotted keys) in one key/value table, every array of objects in a table of its own.
func metricTables(raw json.RawMessage) []metricTable {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	scalars := metricTable{Title: "metrics"}
	var tables []metricTable
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range orderedKeys(raw, prefix, x) {
				key := k
				if prefix != "" {
					key = prefix + "." + k
				}
				walk(key, x[k])
			}
		case []any:
			if objs, ok := objectRows(x); ok {
				tables = append(tables, objectTable(prefix, objs))
				return
			}
			scalars.Rows = append(scalars.Rows, []string{prefix, formatList(x)})
		default:
			scalars.Rows = append(scalars.Rows, []string{prefix, formatScalar(x)})
		}
	}
	walk("", v)
	if len(scalars.Rows) > 0 {
		tables = append([]metricTable{scalars}, tables...)
	}
	return tables
}

// orderedKeys returns the keys of the object m in the order they appear in the document when
// m is the top level, else sorted. Top-level order is the metric struct's field order, which
// its author chose.
func orderedKeys(raw json.RawMessage, prefix string, m map[string]any) []string {
	if prefix == "" {
		dec := json.NewDecoder(bytes.NewReader(raw))
		var keys []string
		if t, err := dec.Token(); err == nil && t == json.Delim('{') {
			for dec.More() {
				t, err := dec.Token()
				if err != nil {
					break
				}
				keys = append(keys, t.(string))
				var skip json.RawMessage
				if dec.Decode(&skip) != nil {
					break
				}
			}
		}
		if len(keys) == len(m) {
			return keys
		}
	}
	return slices.Sorted(maps.Keys(m))
}

func objectRows(xs []any) ([]map[string]any, bool) {
	if len(xs) == 0 {
		return nil, false
	}
	objs := make([]map[string]any, len(xs))
	for i, x := range xs {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, false
		}
		objs[i] = m
	}
	return objs, true
}

func objectTable(title string, objs []map[string]any) metricTable {
	seen := map[string]bool{}
	var header []string
	for _, o := range objs {
		flat := map[string]string{}
		flattenObject("", o, flat)
		for _, k := range slices.Sorted(maps.Keys(flat)) {
			if !seen[k] {
				seen[k] = true
				header = append(header, k)
			}
		}
	}
	// Names and labels first: they identify the row.
	sort.SliceStable(header, func(i, j int) bool { return isLabelKey(header[i]) && !isLabelKey(header[j]) })
	t := metricTable{Title: title, Header: header}
	for _, o := range objs {
		flat := map[string]string{}
		flattenObject("", o, flat)
		row := make([]string, len(header))
		for i, k := range header {
			row[i] = flat[k]
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func isLabelKey(k string) bool {
	return k == "name" || k == "method" || k == "surface" || k == "label" || k == "activation" || k == "init"
}

func flattenObject(prefix string, m map[string]any, dst map[string]string) {
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch x := v.(type) {
		case map[string]any:
			flattenObject(key, x, dst)
		case []any:
			dst[key] = formatList(x)
		default:
			dst[key] = formatScalar(x)
		}
	}
}

// formatList shows a short list in full and a long one by its ends and length, so that a loss
// curve does not flood the page (the full series is in the CSV files).
func formatList(xs []any) string {
	parts := make([]string, 0, len(xs))
	for _, x := range xs {
		switch y := x.(type) {
		case map[string]any, []any:
			b, _ := json.Marshal(y)
			parts = append(parts, string(b))
		default:
			parts = append(parts, formatScalar(y))
		}
	}
	if len(parts) > 10 {
		return fmt.Sprintf("[%s, %s, %s, …, %s] (%d values)", parts[0], parts[1], parts[2], parts[len(parts)-1], len(parts))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func formatScalar(v any) string {
	switch x := v.(type) {
	case json.Number:
		if f, err := x.Float64(); err == nil && strings.ContainsAny(x.String(), ".eE") {
			return fmt.Sprintf("%.4g", f)
		}
		return x.String()
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// reproduceCommand is the command line that repeats the run from its saved config.
func reproduceCommand(name string, _ json.RawMessage) string {
	return fmt.Sprintf("adjunto experiment run %s --config %s/%s --out .", name, name, ConfigFile)
}

var reportTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 3rem; border-bottom: 1px solid #ccc; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.9rem; color: #444; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.85rem; }
td, th { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
pre { background: #f8f8f8; padding: 0.6rem; overflow-x: auto; font-size: 0.8rem; }
.caption { font-size: 1rem; } .meta { color: #666; font-size: 0.85rem; }
.error { color: #a00; font-weight: bold; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>Every figure of the course, regenerated by <code>adjunto report</code>. Each section shows what the experiment
computes, its figures, its metrics and the config it ran with; repeat one with the command given.</p>
<ul>
{{range .Sections}}<li><a href="#{{.Name}}">{{.Name}}</a>{{if .Summary}}: {{.Summary}}{{end}}{{if .Error}} <span class="error">(no result)</span>{{end}}</li>
{{end}}</ul>
{{range .Sections}}
<h2 id="{{.Name}}">{{.Name}}</h2>
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
{{if .Caption}}<p class="caption">{{.Caption}}</p>{{end}}
{{if .Elapsed}}<p class="meta">run time {{.Elapsed}}{{if .Reused}} (result reused from an earlier run){{end}} · {{range .Files}}<a href="{{.Href}}">{{.Text}}</a> {{end}}</p>{{end}}
{{range .Figures}}<figure>
{{if .Src}}<img src="{{.Src}}" alt="{{.Caption}}" loading="lazy">{{end}}
<figcaption>{{.Caption}} {{range .Links}}[<a href="{{.Href}}">{{.Text}}</a>] {{end}}</figcaption>
</figure>
{{end}}
{{range .Metrics}}<table>
<caption>{{.Title}}</caption>
{{if .Header}}<tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}{{else}}{{range .Rows}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{end}}{{end}}</table>
{{end}}
{{range .Tables}}<p><strong>{{.Title}}</strong></p>
<pre>{{.Text}}</pre>
{{end}}
{{if .Config}}<details><summary>config</summary>
<pre>{{.Config}}</pre>
<p>Repeat it, from this page's directory: <code>{{.Command}}</code></p>
</details>{{end}}
{{end}}
</body>
</html>
`))
