package main

import (
	"flag"
	"io"
	"testing"
)

// TestEnsembleObsRotateIsTheTwins guards the shared registration of the twin's flags:
// ensembleOptions has a rotate of its own (the iEnKS's --rotate) that shadows the embedded
// fourdvarOptions.rotate, so --obs-rotate registered on ensembleOptions once set the iEnKS
// rotation and never the observing network's.
func TestEnsembleObsRotateIsTheTwins(t *testing.T) {
	for _, tc := range []struct {
		arg           string
		obsRot, ienks bool
	}{{"--obs-rotate", true, false}, {"--rotate", false, true}} {
		var o ensembleOptions
		fs := flag.NewFlagSet("ensemble", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		o.register(fs)
		if err := fs.Parse([]string{tc.arg}); err != nil {
			t.Fatal(err)
		}
		if o.fourdvarOptions.rotate != tc.obsRot || o.rotate != tc.ienks {
			t.Errorf("%s: observations rotate %v (want %v), iEnKS rotates %v (want %v)",
				tc.arg, o.fourdvarOptions.rotate, tc.obsRot, o.rotate, tc.ienks)
		}
	}
}
