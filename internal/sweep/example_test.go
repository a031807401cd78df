package sweep_test

import (
	"fmt"
	"strings"

	"github.com/adjunto/adjunto/internal/sweep"
)

func ExampleSpec_Expand() {
	s, err := sweep.Parse("windows.json", []byte(`{
  "command": "fourdvar",
  "flags": {"cycles": 50},
  "grid": {
    "window": [8, 16],
    "scheme": {"strong": {}, "incremental": {"variant": "incremental", "outer": 3}}
  },
  "seeds": 2
}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := s.Expand()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range p.Runs[:5] {
		fmt.Printf("%-40s %s\n", p.Describe(r.Params), strings.Join(r.Args, " "))
	}
	fmt.Println(len(p.Runs), "runs")
	// Output:
	// window=8 scheme=strong seed=1            fourdvar --cycles=50 --seed=1 --window=8
	// window=8 scheme=strong seed=2            fourdvar --cycles=50 --seed=2 --window=8
	// window=8 scheme=incremental seed=1       fourdvar --cycles=50 --outer=3 --seed=1 --variant=incremental --window=8
	// window=8 scheme=incremental seed=2       fourdvar --cycles=50 --outer=3 --seed=2 --variant=incremental --window=8
	// window=16 scheme=strong seed=1           fourdvar --cycles=50 --seed=1 --window=16
	// 8 runs
}
