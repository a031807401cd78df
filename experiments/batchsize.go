package experiments

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/adjunto/adjunto/nn"
	"github.com/adjunto/adjunto/optimize"
)

// batchSizeConfig configures the batch-size experiment.
type batchSizeConfig struct {
	// Batches lists the mini-batch sizes; 0 means the full batch (gradient descent).
	Batches      []int   `json:"batches" help:"batch sizes to compare; 0 is the full batch"`
	Points       int     `json:"points" help:"training points"`
	Epochs       int     `json:"epochs" help:"epochs (passes over the data)"`
	LearningRate float64 `json:"lr" help:"SGD learning rate, the same for every batch size"`
	Spec         string  `json:"spec" help:"network spec, e.g. 1-32-32-1:tanh"`
	Seed         uint64  `json:"seed" help:"seed of the data, the weights and the shuffling"`
}

// defaultBatchSizeConfig returns the defaults.
func defaultBatchSizeConfig() batchSizeConfig {
	return batchSizeConfig{Batches: []int{0, 1, 16, 64}, Points: 1024, Epochs: 200, LearningRate: 0.05, Spec: "1-32-32-1:tanh", Seed: 1}
}

// Validate checks the domains of the fields.
func (c *batchSizeConfig) Validate() error {
	if len(c.Batches) == 0 {
		return fmt.Errorf("batches: need at least one batch size")
	}
	for _, b := range c.Batches {
		if b < 0 {
			return fmt.Errorf("batches: negative batch size %d", b)
		}
	}
	if _, _, err := nn.ParseSpec(c.Spec, nn.Tanh); err != nil {
		return fmt.Errorf("spec: %v", err)
	}
	if sizes, _, _ := nn.ParseSpec(c.Spec, nn.Tanh); sizes[0] != 1 || sizes[len(sizes)-1] != 1 {
		return fmt.Errorf("spec %q: the problem has one input and one output", c.Spec)
	}
	return firstErr(checkPositive("points", c.Points), checkPositive("epochs", c.Epochs), checkRate("lr", c.LearningRate),
		fits("points", c.Points, 64), fits("epochs,batches", c.Epochs, len(c.Batches), 8))
}

// batchRun is the training with one batch size.
type batchRun struct {
	Name      string  `json:"name"`          // label of the batch size
	BatchSize int     `json:"batch_size"`    // B; 0 is the full batch
	Steps     int     `json:"steps"`         // optimiser steps taken
	FinalJ    float64 `json:"final_train_J"` // training loss of the last epoch
	FinalValJ float64 `json:"final_val_J"`   // validation loss after the last epoch
	// Seconds is the wall-clock time of the training; unlike the losses it varies from run
	// to run and machine to machine.
	Seconds float64 `json:"seconds"`
	// EpochsTo is the first epoch whose validation J is within 10% of the best final one
	// over all batch sizes, −1 if never.
	EpochsTo  int     `json:"epochs_to_target"`
	SecondsTo float64 `json:"seconds_to_target"` // wall time at EpochsTo
}

// batchSizeMetrics are the metrics of the batch-size experiment.
type batchSizeMetrics struct {
	Runs   []batchRun `json:"runs"`         // one record per batch size
	Target float64    `json:"target_val_J"` // 1.1 × the best final validation J, the level EpochsTo measures
}

func batchSizeExperiment() *Experiment {
	return Define("batch-size",
		"full-batch gradient descent, SGD (batch 1) and mini-batches (16, 64) against epochs and wall time",
		"The same network, data and learning rate, trained with gradients from batches of different sizes. Full-batch "+
			"gradient descent makes one exact step per pass over the data (an epoch); SGD with batch 1 makes N noisy steps, "+
			"mini-batches of B make N/B steps whose noise shrinks like 1/√B. Per epoch, the small batches are far ahead "+
			"because they step far more often, and the noise of their gradients shows as a jagged J that a fixed learning "+
			"rate never quiets. Against wall time, each step costs a fixed overhead plus work proportional to B: the right "+
			"panel and the table measure both on this machine. With the engine's replayed tapes the overhead is a few "+
			"microseconds, so for this small network an epoch costs about the same whatever the batch size, and the ranking "+
			"by epochs carries over to seconds; larger networks make each row dearer and favour mini-batches, whose rows "+
			"share one matrix product.",
		defaultBatchSizeConfig, runBatchSize)
}

func runBatchSize(ctx context.Context, cfg *batchSizeConfig, out *Output) (*batchSizeMetrics, error) {
	rnd := rand.New(rand.NewPCG(cfg.Seed, 7))
	train := curveData(fitTarget, cfg.Points, -3, 3, 0.1, rnd)
	val := curveData(fitTarget, max(cfg.Points/4, 1), -3, 3, 0.1, rnd)
	m := &batchSizeMetrics{}
	var hs []*nn.History
	for _, b := range cfg.Batches {
		name := "batch " + strconv.Itoa(b)
		switch {
		case b == 0 || b >= cfg.Points:
			name = "full batch (GD)"
		case b == 1:
			name = "batch 1 (SGD)"
		}
		net, err := nn.NewMLP(cfg.Spec, nn.MLPOptions{}, nn.Config{Seed: cfg.Seed})
		if err != nil {
			return nil, err
		}
		h, err := nn.Train(net, train, val, nn.TrainConfig{Method: &optimize.SGD{LearningRate: cfg.LearningRate}, Epochs: cfg.Epochs,
			BatchSize: b, Seed: cfg.Seed, Progress: epochProgress(ctx, out, name, cfg.Epochs)})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		last := h.Epochs[len(h.Epochs)-1]
		m.Runs = append(m.Runs, batchRun{Name: name, BatchSize: b, Steps: last.Steps, FinalJ: last.TrainLoss, FinalValJ: last.ValLoss,
			Seconds: last.Elapsed.Seconds(), EpochsTo: -1})
		hs = append(hs, h)
	}
	m.Target = math.Inf(1)
	for _, r := range m.Runs {
		m.Target = math.Min(m.Target, r.FinalValJ)
	}
	m.Target *= 1.1
	byEpoch := newPlot("validation J against epochs", "epoch", "J")
	byTime := newPlot("validation J against wall time", "seconds", "J")
	setLogY(byEpoch)
	setLogY(byTime)
	for k, h := range hs {
		var ep, secs, va []float64
		for _, e := range h.Epochs {
			ep, secs, va = append(ep, float64(e.Epoch)), append(secs, e.Elapsed.Seconds()), append(va, e.ValLoss)
			if m.Runs[k].EpochsTo < 0 && e.ValLoss <= m.Target {
				m.Runs[k].EpochsTo, m.Runs[k].SecondsTo = e.Epoch, e.Elapsed.Seconds()
			}
		}
		addLine(byEpoch, m.Runs[k].Name, ep, va, seriesColor(k), false)
		addLine(byTime, m.Runs[k].Name, secs, va, seriesColor(k), false)
	}
	byEpoch.Legend.Top = true
	byTime.Legend.Top = true
	if err := out.SaveTiles("batch-size", "Validation J against epochs (left) and against wall-clock seconds (right), for each batch size.",
		[][]*plotPlot{{byEpoch, byTime}}, 12*vg.Inch, 4.5*vg.Inch); err != nil {
		return nil, err
	}
	var tb strings.Builder
	fmt.Fprintf(&tb, "%-18s %8s %12s %12s %9s %14s\n", "batch", "steps", "train J", "val J", "seconds", "epochs to 1.1×best")
	for _, r := range m.Runs {
		fmt.Fprintf(&tb, "%-18s %8d %12.4g %12.4g %9.3f %14d\n", r.Name, r.Steps, r.FinalJ, r.FinalValJ, r.Seconds, r.EpochsTo)
	}
	if err := out.AddTable("batch-size", "Steps, losses and time per batch size (times vary between runs)", tb.String()); err != nil {
		return nil, err
	}
	return m, nil
}
