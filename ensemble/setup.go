package ensemble

import "strings"

// Preset is the tuned ensemble method adjunto runs on a standard setup of fourdvar.Setups
// (the model and the observations are the setup's).
type Preset struct {
	Setup      string  // fourdvar setup name
	Method     string  // "enkf", "etkf", "letkf" or "ienks"
	Members    int     // N
	Inflation  float64 // multiplicative inflation of the analysis anomalies
	Radius     float64 // LETKF's Gaspari–Cohn half-width
	Lag, Shift int     // iEnKS window and shift, in observation intervals
	MDA        bool    // iEnKS multiple data assimilation
	Balance    bool    // balancing filter analysis with MDA
	FiniteSize bool    // EnKF-N adaptive inflation
	Rotate     bool    // random mean-preserving rotations of the iEnKS analysis transform
	Tuning     string  // how it was chosen (fourdvar/RESULTS.md)
}

// Presets returns the tuned ensemble methods of the standard setups.
func Presets() []Preset {
	return []Preset{
		{Setup: "sakov2008", Method: "ienks", Members: 100, Inflation: 1, Lag: 20, Shift: 1,
			Tuning: "iEnKS, single DA, N 20-200, lag 1-45, inflation 0.995-1.04, MDA with quasi-static " +
				"windows, bundle, finite-size and rotations; seed 1, 300 then 1000 observation times, " +
				"checked on seeds 2-4 and from a cold start; N 100, lag 20 is the best single-DA run on " +
				"seeds 1-4 (fourdvar/RESULTS.md)"},
		{Setup: "bocquet2013", Method: "ienks", Members: 100, Inflation: 1, Lag: 5, Shift: 1, Rotate: true,
			Tuning: "iEnKS, single DA and MDA, N 20-200, lag 4-16, inflation 0.995-1.03, quasi-static " +
				"windows, finite-size and rotations; seed 1, then seeds 1-4: without rotations more " +
				"members do worse (outlier members), with them N 100, lag 5 has the best mean " +
				"(fourdvar/RESULTS.md)"},
		{Setup: "sakov2012", Method: "ienks", Members: 10, Inflation: 1.01, Lag: 2, Shift: 1,
			Tuning: "iEnKS, N 10, lag 1-8, inflation 1-1.05, finite-size; seed 1, checked on seeds 2-4 " +
				"(fourdvar/RESULTS.md)"},
	}
}

// LookupPreset returns the preset of the setup called name.
func LookupPreset(name string) (Preset, bool) {
	for _, p := range Presets() {
		if strings.EqualFold(p.Setup, name) {
			return p, true
		}
	}
	return Preset{}, false
}
