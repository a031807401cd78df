package fourdvar

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestReadObs(t *testing.T) {
	in := "# observations of a test\nindex,step,value,sigma\n3,0,1.5,0.5\n0,2,-2,1\n7,2,0.25,2\n"
	obs, err := ReadObs(strings.NewReader(in), "obs.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Obs{{Step: 0, Index: 3, Value: 1.5, Sigma: 0.5, Line: 3}, {2, 0, -2, 1, 4}, {2, 7, 0.25, 2, 5}}
	if len(obs) != len(want) {
		t.Fatalf("got %d observations, want %d", len(obs), len(want))
	}
	for i := range want {
		if obs[i] != want[i] {
			t.Errorf("obs[%d] = %+v, want %+v", i, obs[i], want[i])
		}
	}
	bs := BatchesFromObs(10, obs)
	if len(bs) != 2 || bs[0].Step != 0 || bs[1].Step != 2 || bs[1].Len() != 2 || bs[1].Sigma[1] != 2 {
		t.Fatalf("batches %+v", bs)
	}
	y := make([]float64, 2)
	x := []float64{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	bs[1].H.Apply(y, x)
	if y[0] != 10 || y[1] != 17 {
		t.Errorf("H(x) = %v, want [10 17]", y)
	}
	var buf bytes.Buffer
	if err := WriteObs(&buf, obs); err != nil {
		t.Fatal(err)
	}
	back, err := ReadObs(&buf, "round-trip")
	if err != nil || len(back) != 3 || back[2].Value != 0.25 {
		t.Fatalf("round trip: %v, %+v", err, back)
	}
}

// TestBadInputNamesFileLineColumn guards the error messages a user sees for bad files.
func TestBadInputNamesFileLineColumn(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		n, steps int
		want     string
	}{
		{"empty", "", 10, -1, "obs.csv: empty file"},
		{"header", "step,index,value\n0,1,2\n", 10, -1, `obs.csv:1: header "step,index,value" lacks the column "sigma"`},
		{"not a number", "step,index,value,sigma\n0,1,abc,1\n", 10, -1, `obs.csv:2: column value: "abc" is not a number`},
		{"not an integer", "step,index,value,sigma\n0,1.5,1,1\n", 10, -1, `obs.csv:2: column index: "1.5" is not an integer`},
		{"nan", "step,index,value,sigma\n0,1,NaN,1\n", 10, -1, "obs.csv:2: column value: value NaN is not finite"},
		{"sigma zero", "step,index,value,sigma\n0,1,1,1\n1,2,1,0\n", 10, -1, "obs.csv:3: column sigma: sigma 0 must be finite and > 0"},
		{"negative step", "step,index,value,sigma\n-1,1,1,1\n", 10, -1, "obs.csv:2: column step: step -1 is negative"},
		{"index out of range", "step,index,value,sigma\n0,1,1,1\n\n0,10,1,1\n", 10, -1,
			"obs.csv:4: column index: index 10 out of range [0, 10) for a state of 10 variables"},
		{"step beyond window", "step,index,value,sigma\n0,1,1,1\n9,2,1,1\n", 10, 8,
			"obs.csv:3: column step: step 9 is beyond the window of 8 steps"},
		{"fields", "step,index,value,sigma\n0,1,1\n", 10, -1, "obs.csv:2: wrong number of fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs, err := ReadObs(strings.NewReader(tc.in), "obs.csv")
			if err == nil {
				err = CheckObs("obs.csv", obs, tc.n, tc.steps)
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInput) {
				t.Errorf("error %q does not wrap ErrInput", err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %q, want it to start with %q", err, tc.want)
			}
		})
	}
}

func TestReadState(t *testing.T) {
	x, err := ReadState(strings.NewReader("index,value\n1,2.5\n0,-1\n2,3\n"), "xb.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != 3 || x[0] != -1 || x[1] != 2.5 || x[2] != 3 {
		t.Errorf("x = %v", x)
	}
	for _, tc := range []struct{ in, want string }{
		{"index,value\n0,1\n0,2\n", "xb.csv:3: column index: index 0 repeated (first on line 2)"},
		{"index,value\n0,1\n5,2\n", "xb.csv:3: column index: index 5 out of range [0, 2)"},
		{"index,value\n0,inf\n", "xb.csv:2: column value: value inf is not finite"},
		{"index,value\n", "xb.csv: no values after the header"},
	} {
		_, err := ReadState(strings.NewReader(tc.in), "xb.csv")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("ReadState(%q): error %v, want %q", tc.in, err, tc.want)
		}
	}
}
