package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/adjunto/adjunto/internal/atomicfile"
	"github.com/adjunto/adjunto/nn"
)

func runPredict(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("predict", "--model model.json --data FILE.csv [flags]", stderr)
	modelPath := fs.String("model", "", "model file written by adjunto train (required)")
	data := fs.String("data", "", "CSV file with the model's input columns (required)")
	out := fs.String("out", "-", `predictions CSV; "-" for standard output`)
	mc := fs.Int("mc", 0, "Monte Carlo dropout: mean and standard deviation over this many stochastic passes (0: one deterministic pass)")
	seed := fs.Uint64("seed", 1, "seed of the Monte Carlo dropout masks")
	if code, done := parse(fs, args, stdout); done {
		return code
	}
	if *modelPath == "" || *data == "" {
		fmt.Fprintln(stderr, "adjunto predict: --model and --data are required")
		return exitUsage
	}
	if *mc < 0 {
		fmt.Fprintf(stderr, "adjunto predict: --mc %d: want ≥ 0\n", *mc)
		return exitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "adjunto predict: %v\n", err)
		return exitFail
	}
	badInput := func(err error) int {
		fmt.Fprintf(stderr, "adjunto predict: %v\n", err)
		return exitUsage
	}
	m, err := nn.Load(*modelPath)
	if err != nil {
		return badInput(err)
	}
	net := m.Network
	if *mc > 0 && !hasDropout(net) {
		fmt.Fprintf(stderr, "adjunto predict: --mc %d: %s has no dropout layer, so every pass gives the same output (std 0); train with --dropout p, or drop --mc\n", *mc, *modelPath)
		return exitUsage
	}
	inputs := m.InputNames
	if inputs == nil {
		for i := range net.In() {
			inputs = append(inputs, strconv.Itoa(i+1))
		}
	}
	d, err := nn.ReadCSV(*data, nn.CSVOptions{Inputs: inputs})
	if err != nil {
		return badInput(err)
	}
	raw := d.X // Model.Predict standardises a copy
	k := net.Out()
	mean, std := make([]float64, d.N*k), []float64(nil)
	if *mc > 0 {
		std = make([]float64, d.N*k)
		m.PredictMC(mean, std, d, *mc, *seed)
	} else {
		m.Predict(mean, d)
	}
	names := m.TargetNames
	if len(names) != k || net.Config().Loss == nn.CrossEntropy {
		names = nil
		for j := range k {
			names = append(names, fmt.Sprintf("output%d", j))
		}
	}
	write := func(w io.Writer) error {
		cw := csv.NewWriter(w)
		header := append([]string(nil), d.InputNames...)
		for _, n := range names {
			if std != nil {
				header = append(header, n+"_mean", n+"_std")
			} else {
				header = append(header, n)
			}
		}
		cw.Write(header)
		row := make([]string, 0, len(header))
		for i := range d.N {
			row = row[:0]
			for _, v := range raw[i*d.In : (i+1)*d.In] {
				row = append(row, strconv.FormatFloat(v, 'g', -1, 64))
			}
			for j := range k {
				row = append(row, strconv.FormatFloat(mean[i*k+j], 'g', -1, 64))
				if std != nil {
					row = append(row, strconv.FormatFloat(std[i*k+j], 'g', -1, 64))
				}
			}
			cw.Write(row)
		}
		cw.Flush()
		return cw.Error()
	}
	if *out == "-" {
		err = write(stdout)
	} else {
		err = atomicfile.Write(*out, write)
	}
	if err != nil {
		return fail(fmt.Errorf("writing the predictions: %w", err))
	}
	return exitOK
}

// hasDropout reports whether net has a dropout layer with a positive rate, without which
// Monte Carlo dropout has nothing to sample.
func hasDropout(net *nn.Network) bool {
	for _, l := range net.Layers() {
		if d, ok := l.(nn.DropoutLayer); ok && d.Rate > 0 {
			return true
		}
	}
	return false
}
