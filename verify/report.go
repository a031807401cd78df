package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/adjunto/adjunto/internal/jsonnum"
)

// Check names one of the four tests; it is the "test" field of a Report.
type Check string

// The checks of this package.
const (
	CheckDotProduct       Check = "dot-product"
	CheckTaylor           Check = "taylor"
	CheckGradient         Check = "gradient"
	CheckFiniteDifference Check = "finite-difference"
)

// Row is one line of a convergence table: the step α, the ratio at that step (r(α) for the
// Taylor test, ρ(α) for the gradient test) and the error whose minimum over α is the report's
// Value (e(α) for the Taylor test, |ρ(α) − 1| for the gradient test).
type Row struct {
	Alpha float64
	Ratio float64
	Error float64
}

// Report is the outcome of one check of one map.
type Report struct {
	// Name names what was checked, for example "Add/broadcast" or "lorenz96/step".
	Name string

	// Test is the check that ran.
	Test Check

	// Value is the check's measure of disagreement: a relative error for the dot-product and
	// finite-difference checks, the best error over α for the Taylor and gradient tests.
	// Smaller is better; NaN means the check could not be evaluated and never passes.
	Value float64

	// Tolerance is the largest Value that passes.
	Tolerance float64

	// Pass reports Value ≤ Tolerance.
	Pass bool

	// Table holds the convergence table of the Taylor and gradient tests, one row per α
	// from 10⁻¹ down to 10⁻⁸; it is nil for the other checks.
	Table []Row
}

func newReport(name string, test Check, value, tol float64, table []Row) Report {
	return Report{Name: name, Test: test, Value: value, Tolerance: tol, Pass: value <= tol, Table: table}
}

// String formats r on one line, for test failures and logs.
func (r Report) String() string {
	verdict := "FAIL"
	if r.Pass {
		verdict = "ok"
	}
	return fmt.Sprintf("%s %s: %.3g (tolerance %.3g) %s", r.Name, r.Test, r.Value, r.Tolerance, verdict)
}

// AllPass reports whether every report passed. It is true for no reports.
func AllPass(reports []Report) bool {
	for _, r := range reports {
		if !r.Pass {
			return false
		}
	}
	return true
}

// Failed returns the reports that did not pass, in order.
func Failed(reports []Report) []Report {
	var bad []Report
	for _, r := range reports {
		if !r.Pass {
			bad = append(bad, r)
		}
	}
	return bad
}

// WriteTable writes the reports as an aligned table with one line per report: name, test,
// value, tolerance and verdict.
func WriteTable(w io.Writer, reports []Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\ttest\tvalue\ttolerance\tpass")
	for _, r := range reports {
		verdict := "FAIL"
		if r.Pass {
			verdict = "ok"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3e\t%.0e\t%s\n", r.Name, r.Test, r.Value, r.Tolerance, verdict)
	}
	return tw.Flush()
}

// WriteConvergence writes the convergence table of a Taylor or gradient test, one line per α.
// It writes nothing for a report without a table.
func WriteConvergence(w io.Writer, r Report) error {
	if len(r.Table) == 0 {
		return nil
	}
	if _, err := fmt.Fprintf(w, "%s %s\n", r.Name, r.Test); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  alpha\tratio\terror")
	for _, row := range r.Table {
		fmt.Fprintf(tw, "  %.0e\t%.12f\t%.3e\n", row.Alpha, row.Ratio, row.Error)
	}
	return tw.Flush()
}

// WriteJSON writes the reports as JSON lines: one object per report with the fields name,
// test, value, tolerance, pass and, for the Taylor and gradient tests, table.
func WriteJSON(w io.Writer, reports []Report) error {
	enc := json.NewEncoder(w)
	for _, r := range reports {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// number is the JSON form of the reports' numbers: non-finite values as internal/jsonnum
// writes them (a failed check often has exactly such a value).
type number = jsonnum.Float

type jsonRow struct {
	Alpha number `json:"alpha"`
	Ratio number `json:"ratio"`
	Error number `json:"error"`
}

type jsonReport struct {
	Name      string    `json:"name"`
	Test      Check     `json:"test"`
	Value     number    `json:"value"`
	Tolerance number    `json:"tolerance"`
	Pass      bool      `json:"pass"`
	Table     []jsonRow `json:"table,omitempty"`
}

// MarshalJSON encodes r with the fields name, test, value, tolerance, pass and table; non-finite
// numbers are encoded as the strings "NaN", "+Inf" and "-Inf".
func (r Report) MarshalJSON() ([]byte, error) {
	j := jsonReport{Name: r.Name, Test: r.Test, Value: number(r.Value), Tolerance: number(r.Tolerance), Pass: r.Pass}
	for _, row := range r.Table {
		j.Table = append(j.Table, jsonRow{number(row.Alpha), number(row.Ratio), number(row.Error)})
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes what MarshalJSON encodes.
func (r *Report) UnmarshalJSON(b []byte) error {
	var j jsonReport
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Report{Name: j.Name, Test: j.Test, Value: float64(j.Value), Tolerance: float64(j.Tolerance), Pass: j.Pass}
	for _, row := range j.Table {
		r.Table = append(r.Table, Row{float64(row.Alpha), float64(row.Ratio), float64(row.Error)})
	}
	return nil
}
