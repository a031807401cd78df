package fourdvar

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// FuzzReadObs guards the observations reader against any file: it returns observations or an
// error wrapping ErrInput, never panics, and what it returns passes CheckObs' syntax checks.
// go test runs the seeds and testdata/fuzz/FuzzReadObs as a unit test.
func FuzzReadObs(f *testing.F) {
	for _, s := range []string{
		"step,index,value,sigma\n0,0,1.5,1\n2,3,-0.5,0.5\n",
		"sigma,value,index,step\n1,2,3,4\n",
		"# comment\nstep,index,value,sigma\n1,0,1e400,1\n",
		"step,index,value,sigma\n9223372036854775807,0,1,1\n",
		"step,step,value,sigma\n1,1,1,1\n",
		"step,index,value,sigma\n1,0,NaN,1\n1,0,1,0\n",
		"\ufeffstep,index,value,sigma\n\"1\",0,1,1\n",
		"step,index,value\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		obs, err := ReadObs(strings.NewReader(s), "obs.csv")
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("error %v does not wrap ErrInput", err)
			}
			if !strings.HasPrefix(err.Error(), "obs.csv") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if len(obs) == 0 {
			t.Fatal("no observations and no error")
		}
		for _, o := range obs {
			if o.Step < 0 || o.Index < 0 || math.IsNaN(o.Value) || math.IsInf(o.Value, 0) || !(o.Sigma > 0) || math.IsInf(o.Sigma, 0) || o.Line < 1 {
				t.Fatalf("accepted %+v", o)
			}
		}
		// With a model of 40 variables the steps are held to the memory limit, never a panic.
		_ = CheckObs("obs.csv", obs, 40, -1)
	})
}

// FuzzReadState guards the state reader: a state has every index 0…n−1 once, finite values.
func FuzzReadState(f *testing.F) {
	for _, s := range []string{
		"index,value\n0,1\n1,2\n2,3\n",
		"value,index\n3,2\n1,0\n2,1\n",
		"index,value\n0,1\n0,2\n",
		"index,value\n0,1\n2,2\n",
		"index,value\n-1,1\n",
		"index,value\n0,inf\n",
		"index,value\n9223372036854775807,1\n",
		"index\n0\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := ReadState(strings.NewReader(s), "x.csv")
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("error %v does not wrap ErrInput", err)
			}
			return
		}
		if len(x) == 0 {
			t.Fatal("empty state and no error")
		}
		for i, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("x[%d] = %v accepted", i, v)
			}
		}
	})
}
