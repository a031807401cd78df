package nn

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/adjunto/adjunto/optimize"
)

// ErrStop, returned by TrainConfig.Progress, ends training early without an error.
var ErrStop = errors.New("nn: training stopped by the progress callback")

// TrainConfig holds the settings of Train. The zero value trains for 100 epochs with Adam
// (learning rate 1e-3) on full batches, without early stopping.
type TrainConfig struct {
	// Method is the optimiser. A Stepper (SGD, Adam, …) makes one step per mini-batch; any
	// other method (L-BFGS, CG, …) is run full-batch by optimize.Minimize, one iteration per
	// epoch, on the network in evaluation mode (no dropout, batch norm frozen) so that the line
	// search sees one deterministic function. Default &optimize.Adam{}.
	Method optimize.Method
	// Epochs is the number of passes over the training data (iterations for a full-batch
	// method). Default 100.
	Epochs int
	// BatchSize is the mini-batch size; zero (or more than the data) means full batches.
	BatchSize int
	// DropLast skips the last batch of an epoch when it is smaller than BatchSize.
	DropLast bool
	// Sequential keeps the items in order instead of reshuffling them every epoch.
	Sequential bool
	// Patience, if positive, stops training when the validation loss has not improved by more
	// than MinDelta for that many epochs, and restores the parameters of the best epoch
	// (early stopping). It needs a validation set.
	Patience int
	// MinDelta is the smallest decrease of the validation loss that counts as an improvement.
	// Default 0.
	MinDelta float64
	// Seed seeds the order of the mini-batches. Default 0, itself a seed.
	Seed uint64
	// Progress, if not nil, is called after every epoch. Returning ErrStop ends training
	// normally; any other error ends it and Train returns that error.
	Progress func(Epoch) error
}

// Epoch is the record of one epoch of training.
type Epoch struct {
	// Epoch counts from 1.
	Epoch int `json:"epoch"`
	// TrainLoss is the mean of the data loss over the epoch's mini-batches, in training mode;
	// for a full-batch method, the loss at the new iterate.
	TrainLoss float64 `json:"train_loss"`
	// ValLoss is the data loss on the validation set in evaluation mode (NaN without one).
	ValLoss float64 `json:"val_loss"`
	// TrainAcc and ValAcc are the accuracies for the classification losses (NaN otherwise).
	TrainAcc float64 `json:"train_acc"`
	ValAcc   float64 `json:"val_acc"`
	// Steps counts the optimiser steps (or gradient evaluations) so far.
	Steps int `json:"steps"`
	// Elapsed is the wall-clock time since training started.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// History is the outcome of Train.
type History struct {
	// Epochs holds one record per epoch.
	Epochs []Epoch
	// BestEpoch is the epoch with the lowest validation loss (the last epoch without a
	// validation set), whose parameters the network holds after Train.
	BestEpoch int
	// BestValLoss is the validation loss of BestEpoch (NaN without a validation set).
	BestValLoss float64
	// EarlyStopped reports whether the patience ran out.
	EarlyStopped bool
}

// Train fits the network to train, one epoch at a time, evaluating on val (which may be nil)
// after each. It returns an error wrapping ErrDiverged, naming the epoch and the step, if the
// loss or the gradient stops being finite; ErrConfig for invalid settings; and the error of
// Progress. History is returned with an error too, holding the epochs completed.
func Train(n *Network, train, val *Dataset, c TrainConfig) (*History, error) {
	if err := n.dataError("Train", train, true); err != nil {
		return nil, err
	}
	if val != nil {
		if err := n.dataError("Train (validation set)", val, true); err != nil {
			return nil, err
		}
	}
	rows := train.N // a batch holds at most the training set
	if c.BatchSize > 0 {
		rows = min(c.BatchSize, train.N)
	}
	if err := n.checkRows(max(rows, valRows(val))); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if c.Epochs == 0 {
		c.Epochs = 100
	}
	switch {
	case c.Epochs < 0:
		return nil, fmt.Errorf("%w: %d epochs", ErrConfig, c.Epochs)
	case c.BatchSize < 0:
		return nil, fmt.Errorf("%w: batch size %d", ErrConfig, c.BatchSize)
	case c.Patience < 0 || c.MinDelta < 0:
		return nil, fmt.Errorf("%w: patience %d, minimum improvement %v: want ≥ 0", ErrConfig, c.Patience, c.MinDelta)
	case c.Patience > 0 && val == nil:
		return nil, fmt.Errorf("%w: early stopping (patience %d) needs a validation set", ErrConfig, c.Patience)
	}
	if c.Method == nil {
		c.Method = &optimize.Adam{}
	}
	t := &trainer{n: n, train: train, val: val, c: c, start: time.Now(),
		h: &History{BestValLoss: math.NaN()}, best: math.Inf(1)}
	var err error
	if s, ok := c.Method.(optimize.Stepper); ok {
		err = t.stepping(s)
	} else {
		err = t.fullBatch()
	}
	if val != nil && t.bestParams != nil && !errors.Is(err, ErrDiverged) {
		n.SetParams(t.bestParams)
		n.restoreState(t.bestState)
	}
	return t.h, err
}

type trainer struct {
	n          *Network
	train, val *Dataset
	c          TrainConfig
	start      time.Time
	h          *History
	steps      int

	best       float64
	wait       int
	bestParams []float64
	bestState  []float64
}

// endEpoch records an epoch, keeps the best parameters and applies early stopping and the
// callback. It returns done when training must stop, with the callback's error if any.
func (t *trainer) endEpoch(epoch int, trainLoss float64) (done bool, err error) {
	n := t.n
	e := Epoch{Epoch: epoch, TrainLoss: trainLoss, ValLoss: math.NaN(), TrainAcc: math.NaN(), ValAcc: math.NaN(), Steps: t.steps}
	if n.cfg.Loss.Classification() {
		e.TrainAcc = n.Accuracy(t.train)
	}
	if t.val != nil {
		e.ValLoss = n.Loss(t.val)
		if n.cfg.Loss.Classification() {
			e.ValAcc = n.Accuracy(t.val)
		}
		if math.IsNaN(e.ValLoss) || math.IsInf(e.ValLoss, 0) {
			return true, fmt.Errorf("%w: validation loss = %v after epoch %d", ErrDiverged, e.ValLoss, epoch)
		}
		if e.ValLoss < t.best-t.c.MinDelta || t.bestParams == nil {
			t.best, t.wait = e.ValLoss, 0
			t.bestParams = append(t.bestParams[:0], n.params...)
			t.bestState = n.saveState(t.bestState[:0])
			t.h.BestEpoch, t.h.BestValLoss = epoch, e.ValLoss
		} else {
			t.wait++
		}
	} else {
		t.h.BestEpoch = epoch
	}
	e.Elapsed = time.Since(t.start)
	t.h.Epochs = append(t.h.Epochs, e)
	if t.c.Progress != nil {
		if err := t.c.Progress(e); err != nil {
			if errors.Is(err, ErrStop) {
				return true, nil
			}
			return true, err
		}
	}
	if t.c.Patience > 0 && t.wait >= t.c.Patience {
		t.h.EarlyStopped = true
		return true, nil
	}
	return false, nil
}

func (t *trainer) stepping(s optimize.Stepper) error {
	n := t.n
	if err := s.Init(len(n.params)); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	b := NewBatches(t.train.N, t.c.BatchSize, !t.c.Sequential, t.c.DropLast, t.c.Seed)
	if b.PerEpoch() == 0 {
		return fmt.Errorf("%w: %d training items make no batch of %d with drop_last", ErrConfig, t.train.N, t.c.BatchSize)
	}
	for epoch := 1; epoch <= t.c.Epochs; epoch++ {
		b.Reset()
		sum, items := 0.0, 0
		for step := 1; ; step++ {
			idx := b.Next()
			if idx == nil {
				break
			}
			loss, err := n.trainStep(s, t.train, idx, fmt.Sprintf("epoch %d, step %d", epoch, step))
			if err != nil {
				return err
			}
			t.steps++
			sum += loss * float64(len(idx))
			items += len(idx)
		}
		if done, err := t.endEpoch(epoch, sum/float64(items)); done {
			return err
		}
	}
	return nil
}

func (t *trainer) fullBatch() error {
	n := t.n
	epoch := 0
	var stopErr error
	p := optimize.Problem{
		FuncGrad: func(grad, x []float64) float64 {
			n.SetParams(x)
			t.steps++
			return n.Objective(grad, t.train)
		},
	}
	s := &optimize.Settings{
		MaxIterations: t.c.Epochs,
		// The network may hold a trial point of the line search: set the iterate before the
		// validation loss is taken there.
		Callback: func(it optimize.Iteration) error {
			if it.Iter == 0 {
				return nil
			}
			n.SetParams(it.X)
			epoch = it.Iter
			done, err := t.endEpoch(epoch, it.J)
			if err != nil {
				stopErr = err
			}
			if done {
				return optimize.ErrStop
			}
			return nil
		},
	}
	res, err := optimize.Minimize(p, append([]float64(nil), n.params...), s, t.c.Method)
	if res != nil {
		n.SetParams(res.X)
	}
	if stopErr != nil {
		return stopErr
	}
	var de *optimize.DivergenceError
	if errors.As(err, &de) {
		return fmt.Errorf("%w: %v at iteration %d (full batch)", ErrDiverged, de.Value, de.Iteration)
	}
	if errors.Is(err, optimize.ErrLineSearch) {
		return nil // the best point is kept: a line search that cannot progress ends training
	}
	if err != nil {
		return fmt.Errorf("nn: full-batch training: %w", err)
	}
	return nil
}

// TrainStep makes one optimisation step on rows idx of d (all rows for nil): it replays the
// recorded program of that batch size in training mode, sweeps back for the gradient and
// steps s. It returns the batch's data loss before the step, and an error wrapping
// ErrDiverged if the loss or the gradient is not finite (the parameters are then left
// unchanged). Once the program for the batch size is recorded it allocates nothing.
func (n *Network) TrainStep(s optimize.Stepper, d *Dataset, idx []int) (float64, error) {
	n.checkData("TrainStep", d, true)
	return n.trainStep(s, d, idx, "TrainStep")
}

func (n *Network) trainStep(s optimize.Stepper, d *Dataset, idx []int, where string) (float64, error) {
	rows := len(idx)
	if idx == nil {
		rows = d.N
	}
	p := n.program(rows, modeTrain)
	p.load(d, idx)
	J := n.step(p)
	if err := n.checkFinite(J, where); err != nil {
		return J, err
	}
	if err := s.Step(n.params, n.grad); err != nil {
		return J, fmt.Errorf("nn: %s: %w", where, err)
	}
	return p.loss.Data[0], nil
}

// saveState appends the batch-norm running statistics to dst.
func (n *Network) saveState(dst []float64) []float64 {
	for _, s := range n.state {
		dst = append(dst, s...)
	}
	return dst
}

// restoreState copies statistics saved by saveState back.
func (n *Network) restoreState(src []float64) {
	for _, s := range n.state {
		src = src[copy(s, src):]
	}
}

// valRows returns the items of a validation set, zero without one.
func valRows(val *Dataset) int {
	if val == nil {
		return 0
	}
	return val.N
}
