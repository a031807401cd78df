package experiments

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/gif"
	"maps"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/internal/atomicfile"
	"github.com/adjunto/adjunto/internal/figure"
	"github.com/adjunto/adjunto/internal/jsonnum"
)

// Output collects what one run of an experiment writes: figures, CSV series, text tables and
// progress messages. Its files go into a staging directory that Experiment.Run moves into
// place once the run has succeeded.
type Output struct {
	dir      string
	figures  []Figure
	tables   []Table
	files    []string
	progress func(string)
}

// newOutput returns an Output writing into dir, which must exist. Experiment.Run makes its
// own; this is for tests and for callers that run an experiment's pieces by hand.
func newOutput(dir string) *Output { return &Output{dir: dir} }

// Dir returns the directory the files are written to.
func (o *Output) Dir() string { return o.dir }

// Figures returns the figures written so far.
func (o *Output) Figures() []Figure { return o.figures }

// Tables returns the tables added so far.
func (o *Output) Tables() []Table { return o.tables }

// Progressf sends a progress message, if anyone listens.
func (o *Output) Progressf(format string, args ...any) {
	if o.progress != nil {
		o.progress(fmt.Sprintf(format, args...))
	}
}

// AddTable records a preformatted text table for the report and writes it to name.txt.
func (o *Output) AddTable(name, title, text string) error {
	o.tables = append(o.tables, Table{Title: title, Text: text})
	return o.writeFile(name+".txt", []byte(text))
}

// SavePlot writes p as name.png and name.svg, w×h in size, and records it with its caption.
func (o *Output) SavePlot(name, caption string, p *plot.Plot, w, h vg.Length) error {
	return o.SaveTiles(name, caption, [][]*plot.Plot{{p}}, w, h)
}

// SaveTiles writes the plots laid out in a grid (rows of equal length; nil leaves a tile
// empty) as name.png and name.svg, w×h in total, with their axes aligned.
func (o *Output) SaveTiles(name, caption string, plots [][]*plot.Plot, w, h vg.Length) error {
	png, svg, err := figure.Encode(plots, w, h)
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	if err := o.writeFile(name+".png", png); err != nil {
		return err
	}
	if err := o.writeFile(name+".svg", svg); err != nil {
		return err
	}
	o.figures = append(o.figures, Figure{Name: name, Caption: caption, PNG: name + ".png", SVG: name + ".svg"})
	return nil
}

// SaveGIF writes the animation g as name.gif and records it with its caption.
func (o *Output) SaveGIF(name, caption string, g *gif.GIF) error {
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		return fmt.Errorf("%s.gif: %v", name, err)
	}
	if err := o.writeFile(name+".gif", b.Bytes()); err != nil {
		return err
	}
	o.figures = append(o.figures, Figure{Name: name, Caption: caption, GIF: name + ".gif"})
	return nil
}

// WriteCSV writes a series as name.csv: a header line, then one line per row. Floats are
// written in the shortest form that reads back exactly.
func (o *Output) WriteCSV(name string, header []string, rows [][]float64) error {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	rec := make([]string, len(header))
	for i, r := range rows {
		if len(r) != len(header) {
			panic(fmt.Sprintf("experiments: WriteCSV %s: row %d has %d values for %d columns", name, i, len(r), len(header)))
		}
		for j, v := range r {
			rec[j] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return o.writeFile(name+".csv", b.Bytes())
}

func (o *Output) writeFile(name string, data []byte) error {
	if err := writeFileAtomic(filepath.Join(o.dir, name), data); err != nil {
		return err
	}
	o.files = append(o.files, name)
	return nil
}

// writeFileAtomic writes data to path atomically, wrapping a failure in ErrOutput.
func writeFileAtomic(path string, data []byte) error {
	if err := atomicfile.WriteBytes(path, data); err != nil {
		return fmt.Errorf("%w: %v", ErrOutput, err)
	}
	return nil
}

// encodeJSON encodes v as indented JSON like encoding/json, with two differences that metrics
// need: a non-finite float (a diverged loss) is written as package jsonnum says instead of
// failing the whole run, and struct fields keep their declaration order.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := encodeValue(&b, reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

func encodeValue(w *bytes.Buffer, v reflect.Value) error {
	if !v.IsValid() {
		w.WriteString("null")
		return nil
	}
	if v.Type().Implements(marshalerType) && !(v.Kind() == reflect.Pointer && v.IsNil()) {
		b, err := v.Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			return err
		}
		w.Write(b)
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			w.WriteString("null")
			return nil
		}
		return encodeValue(w, v.Elem())
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if v.Kind() == reflect.Float32 && !math.IsNaN(f) && !math.IsInf(f, 0) {
			w.WriteString(strconv.FormatFloat(f, 'g', -1, 32))
		} else {
			w.Write(jsonnum.Format(f))
		}
		return nil
	case reflect.Struct:
		w.WriteByte('{')
		first := true
		var err error
		forFieldsAll(v, func(key string, omitEmpty bool, fv reflect.Value) {
			if err != nil || (omitEmpty && fv.IsZero()) {
				return
			}
			if !first {
				w.WriteByte(',')
			}
			first = false
			kb, _ := json.Marshal(key)
			w.Write(kb)
			w.WriteByte(':')
			err = encodeValue(w, fv)
		})
		w.WriteByte('}')
		return err
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			break
		}
		keys := v.MapKeys()
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.String()
		}
		idx := make(map[string]reflect.Value, len(keys))
		for i, k := range keys {
			idx[names[i]] = k
		}
		w.WriteByte('{')
		for i, n := range slices.Sorted(maps.Keys(idx)) {
			if i > 0 {
				w.WriteByte(',')
			}
			kb, _ := json.Marshal(n)
			w.Write(kb)
			w.WriteByte(':')
			if err := encodeValue(w, v.MapIndex(idx[n])); err != nil {
				return err
			}
		}
		w.WriteByte('}')
		return nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			w.WriteString("[]")
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			break // []byte: base64, as encoding/json does
		}
		w.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				w.WriteByte(',')
			}
			if err := encodeValue(w, v.Index(i)); err != nil {
				return err
			}
		}
		w.WriteByte(']')
		return nil
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return err
	}
	w.Write(b)
	return nil
}

// forFieldsAll visits the fields encoding/json would encode, with their keys.
func forFieldsAll(v reflect.Value, f func(key string, omitEmpty bool, fv reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && tag == "" {
			forFieldsAll(v.Field(i), f) // flattened, as encoding/json does
			continue
		}
		if !sf.IsExported() || tag == "-" {
			continue
		}
		key, opts, _ := bytes.Cut([]byte(tag), []byte(","))
		name := string(key)
		if name == "" {
			name = sf.Name
		}
		f(name, bytes.Contains(opts, []byte("omitempty")), v.Field(i))
	}
}
