package fourdvar

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// ReadObs reads observations from CSV with the header step,index,value,sigma (in any column
// order; lines starting with # are comments). file names the source in errors, which give
// its line and column. It checks the syntax and that values are finite and sigmas positive;
// CheckObs checks indices and steps against a model and a window.
func ReadObs(r io.Reader, file string) ([]Obs, error) {
	cr, cols, err := csvHeader(r, file, "step", "index", "value", "sigma")
	if err != nil {
		return nil, err
	}
	var obs []Obs
	for {
		rec, line, err := csvRecord(cr, file)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		var o Obs
		o.Line = line
		if o.Step, err = csvInt(rec, cols, "step", file, line); err != nil {
			return nil, err
		}
		if o.Index, err = csvInt(rec, cols, "index", file, line); err != nil {
			return nil, err
		}
		if o.Value, err = csvFloat(rec, cols, "value", file, line); err != nil {
			return nil, err
		}
		if o.Sigma, err = csvFloat(rec, cols, "sigma", file, line); err != nil {
			return nil, err
		}
		if err := CheckObs(file, []Obs{o}, math.MaxInt, -1); err != nil {
			return nil, err
		}
		obs = append(obs, o)
	}
	if len(obs) == 0 {
		return nil, &InputError{File: file, Msg: "no observations after the header"}
	}
	return obs, nil
}

// ReadState reads a state vector from CSV with the header index,value: one row per variable,
// every index from 0 to n-1 exactly once, in any order, n being the number of rows.
func ReadState(r io.Reader, file string) ([]float64, error) {
	cr, cols, err := csvHeader(r, file, "index", "value")
	if err != nil {
		return nil, err
	}
	type row struct {
		i, line int
		v       float64
	}
	var rows []row
	for {
		rec, line, err := csvRecord(cr, file)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		i, err := csvInt(rec, cols, "index", file, line)
		if err != nil {
			return nil, err
		}
		v, err := csvFloat(rec, cols, "value", file, line)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row{i, line, v})
	}
	if len(rows) == 0 {
		return nil, &InputError{File: file, Msg: "no values after the header"}
	}
	x := make([]float64, len(rows))
	seen := make([]int, len(rows))
	for _, r := range rows {
		if r.i < 0 || r.i >= len(rows) {
			return nil, &InputError{File: file, Line: r.line, Column: "index",
				Msg: fmt.Sprintf("index %d out of range [0, %d): the file has %d rows, one per variable", r.i, len(rows), len(rows))}
		}
		if seen[r.i] != 0 {
			return nil, &InputError{File: file, Line: r.line, Column: "index",
				Msg: fmt.Sprintf("index %d repeated (first on line %d)", r.i, seen[r.i])}
		}
		seen[r.i] = r.line
		x[r.i] = r.v
	}
	return x, nil
}

// ReadObsFile reads observations from the CSV file at path; see ReadObs.
func ReadObsFile(path string) ([]Obs, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadObs(f, path)
}

// ReadStateFile reads a state from the CSV file at path; see ReadState.
func ReadStateFile(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadState(f, path)
}

// WriteState writes x as CSV with the header index,value, the format ReadState reads.
func WriteState(w io.Writer, x []float64) error {
	var b strings.Builder
	b.WriteString("index,value\n")
	for i, v := range x {
		fmt.Fprintf(&b, "%d,%s\n", i, strconv.FormatFloat(v, 'g', -1, 64))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteObs writes observations as CSV with the header step,index,value,sigma, the format
// ReadObs reads.
func WriteObs(w io.Writer, obs []Obs) error {
	var b strings.Builder
	b.WriteString("step,index,value,sigma\n")
	for _, o := range obs {
		fmt.Fprintf(&b, "%d,%d,%s,%s\n", o.Step, o.Index,
			strconv.FormatFloat(o.Value, 'g', -1, 64), strconv.FormatFloat(o.Sigma, 'g', -1, 64))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func csvHeader(r io.Reader, file string, want ...string) (*csv.Reader, map[string]int, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	hdr, err := cr.Read()
	if err == io.EOF {
		return nil, nil, &InputError{File: file, Msg: fmt.Sprintf("empty file: want the header %s", strings.Join(want, ","))}
	}
	if err != nil {
		return nil, nil, csvSyntax(file, err)
	}
	line, _ := cr.FieldPos(0)
	cols := make(map[string]int, len(hdr))
	for i, h := range hdr {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := cols[h]; dup {
			return nil, nil, &InputError{File: file, Line: line, Column: h, Msg: "column repeated in the header"}
		}
		cols[h] = i
	}
	for _, w := range want {
		if _, ok := cols[w]; !ok {
			return nil, nil, &InputError{File: file, Line: line,
				Msg: fmt.Sprintf("header %q lacks the column %q (want %s)", strings.Join(hdr, ","), w, strings.Join(want, ","))}
		}
	}
	cr.FieldsPerRecord = len(hdr)
	return cr, cols, nil
}

func csvRecord(cr *csv.Reader, file string) ([]string, int, error) {
	rec, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, 0, err
		}
		return nil, 0, csvSyntax(file, err)
	}
	line, _ := cr.FieldPos(0)
	return rec, line, nil
}

func csvSyntax(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &InputError{File: file, Line: pe.Line, Msg: pe.Err.Error()}
	}
	return fmt.Errorf("%s: %w", file, err)
}

func csvInt(rec []string, cols map[string]int, col, file string, line int) (int, error) {
	s := strings.TrimSpace(rec[cols[col]])
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, &InputError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("%q is not an integer", s)}
	}
	return v, nil
}

func csvFloat(rec []string, cols map[string]int, col, file string, line int) (float64, error) {
	s := strings.TrimSpace(rec[cols[col]])
	v, err := strconv.ParseFloat(s, 64)
	if errors.Is(err, strconv.ErrRange) {
		return 0, &InputError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("%s is out of the range of float64 (±1.8e308)", s)}
	}
	if err != nil {
		return 0, &InputError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("%q is not a number", s)}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, &InputError{File: file, Line: line, Column: col, Msg: fmt.Sprintf("value %s is not finite", s)}
	}
	return v, nil
}

// WriteTrajectory writes states as CSV with the header step,index,value.
func WriteTrajectory(w io.Writer, traj [][]float64) error {
	var b strings.Builder
	b.WriteString("step,index,value\n")
	for k, x := range traj {
		for i, v := range x {
			fmt.Fprintf(&b, "%d,%d,%s\n", k, i, strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
