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
	Tuning     string  // how it was chosen (fourdvar/RESULTS.md)
}

// Presets returns the tuned ensemble methods of the standard setups.
func Presets() []Preset {
	return []Preset{
		{Setup: "sakov2008", Method: "ienks", Members: 20, Inflation: 1, Lag: 10, Shift: 1, FiniteSize: false,
			Tuning: "placeholder until tuned"},
		{Setup: "bocquet2013", Method: "ienks", Members: 20, Inflation: 1, Lag: 4, Shift: 1, FiniteSize: false,
			Tuning: "placeholder until tuned"},
		{Setup: "sakov2012", Method: "ienks", Members: 10, Inflation: 1, Lag: 4, Shift: 1, FiniteSize: false,
			Tuning: "placeholder until tuned"},
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
