package qg_test

import (
	"fmt"

	"github.com/adjunto/adjunto/models/qg"
)

// A grid whose size has a large prime factor, or a time step beyond the CFL limit, is
// rejected before anything runs.
func ExampleModel_Validate() {
	if _, err := qg.New(67); err != nil {
		fmt.Println(err)
	}
	m, _ := qg.New(64)
	m.Dt = 5
	fmt.Println(m.Validate())
	// Output:
	// qg: invalid model: N = 67 has the prime factor 67: the FFT of the PV inversion needs sizes 2^a 3^b 5^c (try 72)
	// qg: time step beyond the stability limit: Dt = 5: Courant number 2.56 at the flow's speed scale 0.008 (grid spacing 0.015625); need ≤ 1.41, so Dt ≤ 2.76
}
