package nn

import (
	"errors"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/floats"

	"github.com/adjunto/adjunto/adjoint"
	"github.com/adjunto/adjunto/optimize"
)

// ErrStop, returned by TrainConfig.Progress, ends training early without an error.
var ErrStop = errors.New("nn: training stopped by the progress callback")

// TrainConfig holds the settings of Train. The zero value trains for 100 epochs with Adam
// (learning rate 1e-3) on full batches, without early stopping.
type TrainConfig struct {
	// Method is the optimiser. A Stepper (SGD, Adam, …) makes one step per mini-batch; any
	// other method (L-BFGS, CG, Newton, …) is run full-batch by optimize.Minimize, one
	// iteration per epoch, on the network in evaluation mode (no dropout, batch norm frozen)
	// so that the line search sees one deterministic function. The full-batch problem has
	// Func (a forward run alone, for line-search trials) and HessVec (see Curvature, for
	// Newton). Default &optimize.Adam{}.
	Method optimize.Method
	// Schedule, if not nil, sets a Stepper's learning rate at the start of every epoch e
	// (counted from 1, and across a resumption) to Schedule.Rate(e−1). Full-batch methods
	// have no learning rate and reject it.
	Schedule optimize.Schedule
	// Plateau, if not nil, lowers a Stepper's learning rate when the monitored loss (the
	// validation loss, or the training loss without a validation set) stops improving: it
	// observes the loss after every epoch and sets the rate of the next one. Its Initial rate
	// is set at the start. It cannot be combined with Schedule. Its state (rate, best loss,
	// bad epochs, cooldown) is part of TrainState: a resumed run restores it into Plateau, so
	// that it lowers the rate at the epochs the uninterrupted run would.
	Plateau *optimize.ReduceOnPlateau
	// ClipNorm, if positive, rescales the gradient of every mini-batch to a Euclidean norm of
	// at most ClipNorm before the step (optimize.ClipNorm). Full-batch methods reject it.
	ClipNorm float64
	// Curvature selects the Hessian-vector product a full-batch method that needs one
	// (Newton) is given. Default HessianFD.
	Curvature Curvature
	// Damping μ ≥ 0 is added to the curvature's diagonal, (C + μI) v: Levenberg-Marquardt's
	// cure for a Gauss-Newton matrix that is nearly singular, whose Newton steps would
	// otherwise be huge along the directions the data hardly determine. Default 0.
	Damping float64
	// Resume, if not nil, continues training from the state a previous Train left
	// (History.Resume, saved as Model.Training) on the network that training left: the
	// epochs are numbered on, the optimiser (a Resumable Stepper, set up as before) keeps its
	// moments and rate, and the mini-batch order and the dropout masks continue their
	// sequences, and the plateau rule and early stopping go on counting (the best epoch, its
	// loss and parameters, the epochs waited), so that N epochs, a save and a load, and N more
	// epochs give the bits of 2N epochs in one run, the epoch of an early stop included. The
	// settings (Patience, MinDelta, Plateau's fields) are this config's: changed, they apply to
	// the counts carried over. A full-batch method restarts from the last epoch's parameters.
	Resume *TrainState
	// Epochs is the number of passes over the training data (iterations for a full-batch
	// method). Default 100.
	Epochs int
	// BatchSize is the mini-batch size; zero (or more than the data) means full batches. A
	// method that is not a Stepper needs full batches and rejects a smaller size.
	BatchSize int
	// DropLast skips the last batch of an epoch when it is smaller than BatchSize.
	DropLast bool
	// Sequential keeps the items in order instead of reshuffling them every epoch.
	Sequential bool
	// Patience, if positive, stops training when the validation loss has not improved by more
	// than MinDelta for that many epochs, and restores the parameters of the best epoch
	// (early stopping). It needs a validation set. Resuming a state that has waited Patience
	// epochs or more (one that stopped early) is refused: the patience has run out.
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
	// Resume is the state after the last epoch run, from which TrainConfig.Resume continues
	// on the network Train left (which, with a validation set, holds the best epoch's
	// parameters: the state then holds the last epoch's).
	Resume *TrainState
}

// TrainState is the state of training outside the network's parameters: what resuming needs
// to continue bit for bit. It is saved in model files as Model.Training.
type TrainState struct {
	// Epochs and Steps count the epochs completed and the optimiser steps taken.
	Epochs int `json:"epochs"`
	Steps  int `json:"steps"`
	// Optimizer is the state of a Resumable Stepper (nil for a full-batch method).
	Optimizer *optimize.StepperState `json:"optimizer,omitempty"`
	// Order is the mini-batch order of the last epoch (each epoch reshuffles the last one);
	// Batches and Dropout are the states of the generators of the order and of the dropout
	// masks, in rand.PCG's binary form.
	Order   []int  `json:"order,omitempty"`
	Batches []byte `json:"batches,omitempty"`
	Dropout []byte `json:"dropout,omitempty"`
	// Plateau is the state of the reduce-on-plateau rule (TrainConfig.Plateau), if one ran.
	Plateau *optimize.PlateauState `json:"plateau,omitempty"`
	// EarlyStopping is the record of the best validation loss, if training had a validation
	// set; the network holds that epoch's parameters and batch-norm statistics.
	EarlyStopping *EarlyStopState `json:"early_stopping,omitempty"`
	// Params and BatchNorm are the parameters and the batch-norm running statistics (each
	// layer's means then variances, layer after layer) after the last epoch, from which
	// training continues, when the network holds those of an earlier best epoch; nil when
	// they are the network's.
	Params    []float64 `json:"params,omitempty"`
	BatchNorm []float64 `json:"batchnorm_state,omitempty"`
}

// EarlyStopState is what early stopping carries from epoch to epoch. The epochs waited
// without improvement are the epochs since BestEpoch, TrainState.Epochs − BestEpoch: every
// epoch either improves (and becomes the best) or waits one more.
type EarlyStopState struct {
	// BestEpoch is the epoch with the lowest validation loss, BestValLoss that loss, the one
	// the next epochs must beat by more than MinDelta.
	BestEpoch   int     `json:"best_epoch"`
	BestValLoss float64 `json:"best_val_loss"`
	// Patience is the patience the run counted against (0: none, the best epoch is only
	// kept); a state that waited longer cannot come from it.
	Patience int `json:"patience"`
}

// check reports a state that cannot belong to network n.
func (s *TrainState) check(n *Network) error {
	if s == nil {
		return nil
	}
	if s.Epochs < 0 || s.Steps < 0 {
		return fmt.Errorf("training state: %d epochs, %d steps", s.Epochs, s.Steps)
	}
	if s.Optimizer != nil {
		for k, v := range s.Optimizer.Vectors {
			if len(v) != len(n.params) {
				return fmt.Errorf("training state: optimiser vector %q of length %d for %d parameters", k, len(v), len(n.params))
			}
		}
	}
	if s.Plateau != nil {
		if err := s.Plateau.Validate(); err != nil {
			return fmt.Errorf("training state: plateau: %w", err)
		}
	}
	if e := s.EarlyStopping; e != nil {
		switch {
		case e.BestEpoch < 1 || e.BestEpoch > s.Epochs:
			return fmt.Errorf("training state: early_stopping: best_epoch %d of %d epochs", e.BestEpoch, s.Epochs)
		case math.IsNaN(e.BestValLoss) || math.IsInf(e.BestValLoss, 0):
			return fmt.Errorf("training state: early_stopping: best_val_loss %v, want a finite value", e.BestValLoss)
		case e.Patience < 0:
			return fmt.Errorf("training state: early_stopping: patience %d, want ≥ 0", e.Patience)
		case e.Patience > 0 && s.Epochs-e.BestEpoch > e.Patience:
			return fmt.Errorf("training state: early_stopping: best_epoch %d waits %d epochs to epoch %d, beyond the patience of %d",
				e.BestEpoch, s.Epochs-e.BestEpoch, s.Epochs, e.Patience)
		}
	}
	if s.Params != nil || s.BatchNorm != nil {
		if s.EarlyStopping == nil {
			return errors.New("training state: params without early_stopping (the last epoch's parameters are kept only beside a best epoch's)")
		}
		if len(s.Params) != len(n.params) {
			return fmt.Errorf("training state: params of length %d for %d parameters", len(s.Params), len(n.params))
		}
		if want := len(n.saveState(nil)); len(s.BatchNorm) != want {
			return fmt.Errorf("training state: batchnorm_state of length %d for %d batch-norm statistics", len(s.BatchNorm), want)
		}
	}
	return nil
}

// Train fits the network to train, one epoch at a time, evaluating on val (which may be nil)
// after each. It returns an error wrapping ErrDiverged, naming the epoch and the step, if the
// loss or the gradient stops being finite; ErrData for datasets that do not fit the network;
// ErrConfig for invalid settings or a batch too large for memory; and the error of Progress.
// History is returned with an error from the epochs, holding the epochs completed.
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
	case c.Curvature != HessianFD && c.Curvature != GaussNewton:
		return nil, fmt.Errorf("%w: unknown curvature %d", ErrConfig, int(c.Curvature))
	case !(c.Damping >= 0) || math.IsInf(c.Damping, 0):
		return nil, fmt.Errorf("%w: damping %v, want a finite value ≥ 0", ErrConfig, c.Damping)
	case !(c.ClipNorm >= 0) || math.IsInf(c.ClipNorm, 0):
		return nil, fmt.Errorf("%w: gradient clipping norm %v, want a finite value ≥ 0", ErrConfig, c.ClipNorm)
	}
	if c.Method == nil {
		c.Method = &optimize.Adam{}
	}
	if c.Schedule != nil {
		if err := c.Schedule.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	if c.Plateau != nil {
		if err := c.Plateau.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
		if c.Schedule != nil {
			return nil, fmt.Errorf("%w: a schedule and a plateau rule both set the learning rate: choose one", ErrConfig)
		}
	}
	if err := c.Resume.check(n); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if r := c.Resume; r != nil && r.EarlyStopping != nil && val != nil && c.Patience > 0 {
		// The uninterrupted run would have stopped: training on is a new decision.
		if best := r.EarlyStopping.BestEpoch; r.Epochs-best >= c.Patience {
			return nil, fmt.Errorf("%w: resuming after epoch %d: no improvement since epoch %d, so a patience of %d has run out (raise it to train on, or use 0)",
				ErrConfig, r.Epochs, best, c.Patience)
		}
	}
	if _, ok := c.Method.(optimize.Stepper); !ok {
		switch {
		case c.BatchSize > 0 && c.BatchSize < train.N:
			return nil, fmt.Errorf("%w: %T runs full-batch (one iteration over all %d training items per epoch), not on mini-batches of %d: use batch size 0",
				ErrConfig, c.Method, train.N, c.BatchSize)
		case c.Schedule != nil || c.Plateau != nil || c.ClipNorm > 0:
			return nil, fmt.Errorf("%w: %T chooses its steps by a line search: it takes no learning-rate schedule or gradient clipping", ErrConfig, c.Method)
		}
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
		t.keepLast()
		n.SetParams(t.bestParams)
		n.restoreState(t.bestState)
	}
	return t.h, err
}

// resumeBest continues the early stopping of state r, once nothing else can fail: the
// network holds the parameters of r's best epoch, which become the best ones, and continues
// from r's last ones. Without a validation set there is no best to keep, but training still
// continues from the last parameters.
func (t *trainer) resumeBest(r *TrainState) {
	n := t.n
	if e := r.EarlyStopping; e != nil && t.val != nil {
		t.best, t.wait = e.BestValLoss, r.Epochs-e.BestEpoch
		t.bestParams = append([]float64(nil), n.params...)
		t.bestState = n.saveState(nil)
		t.h.BestEpoch, t.h.BestValLoss = e.BestEpoch, e.BestValLoss
	}
	if r.Params != nil {
		n.SetParams(r.Params)
		n.restoreState(r.BatchNorm)
	}
}

// keepLast records in the training state, before the best epoch's parameters replace them,
// the record of the best epoch and the last epoch's parameters if they differ.
func (t *trainer) keepLast() {
	r := t.h.Resume
	if r == nil {
		return
	}
	r.EarlyStopping = &EarlyStopState{BestEpoch: t.h.BestEpoch, BestValLoss: t.h.BestValLoss, Patience: t.c.Patience}
	live := t.n.saveState(nil)
	if !sameBits(t.n.params, t.bestParams) || !sameBits(live, t.bestState) {
		r.Params, r.BatchNorm = append([]float64(nil), t.n.params...), live
	}
}

// sameBits reports whether a and b hold the same float64 values bit for bit.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
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
	done := 0
	if r := t.c.Resume; r != nil {
		if err := t.resume(r, s, b); err != nil {
			return err
		}
		done = r.Epochs
	}
	defer func() { t.h.Resume = t.snapshot(done, s, b) }()
	if t.c.Plateau != nil {
		s.SetRate(t.c.Plateau.Rate())
	}
	for epoch, last := done+1, done+t.c.Epochs; epoch <= last; epoch++ {
		if t.c.Schedule != nil {
			s.SetRate(t.c.Schedule.Rate(epoch - 1))
		}
		b.Reset()
		sum, items := 0.0, 0
		for step := 1; ; step++ {
			idx := b.Next()
			if idx == nil {
				break
			}
			loss, err := n.trainStep(s, t.train, idx, t.c.ClipNorm, fmt.Sprintf("epoch %d, step %d", epoch, step))
			if err != nil {
				return err
			}
			t.steps++
			sum += loss * float64(len(idx))
			items += len(idx)
		}
		done = epoch
		stop, err := t.endEpoch(epoch, sum/float64(items))
		if t.c.Plateau != nil && !errors.Is(err, ErrDiverged) {
			// Observed even on a stop or an interruption, so that the saved state has seen
			// every epoch it counts as done.
			e := t.h.Epochs[len(t.h.Epochs)-1]
			monitored := e.ValLoss
			if t.val == nil {
				monitored = e.TrainLoss
			}
			s.SetRate(t.c.Plateau.Observe(monitored))
		}
		if stop {
			return err
		}
	}
	return nil
}

// resume restores the state r into the optimiser s (after its Init), the batch order b and
// the network's dropout generator.
func (t *trainer) resume(r *TrainState, s optimize.Stepper, b *Batches) error {
	// Recording a program runs it forward once, which draws dropout masks and moves the
	// batch-norm statistics: record the programs of the epoch's batch sizes before the
	// state is restored, as the interrupted run had recorded them before it was saved.
	state := t.n.saveState(nil)
	t.n.program(b.size, modeTrain)
	if last := len(b.perm) % b.size; last != 0 && !b.dropLast {
		t.n.program(last, modeTrain)
	}
	t.n.restoreState(state)
	t.steps = r.Steps
	if r.Optimizer != nil {
		rs, ok := s.(optimize.Resumable)
		if !ok {
			return fmt.Errorf("%w: resuming: %T cannot restore an optimiser state", ErrConfig, s)
		}
		if err := rs.SetState(*r.Optimizer); err != nil {
			return fmt.Errorf("%w: resuming: %w", ErrConfig, err)
		}
	}
	if r.Order != nil {
		if len(r.Order) != len(b.perm) {
			return fmt.Errorf("%w: resuming: a batch order of %d items for %d training items", ErrConfig, len(r.Order), len(b.perm))
		}
		copy(b.perm, r.Order)
	}
	if r.Batches != nil {
		if err := b.src.UnmarshalBinary(r.Batches); err != nil {
			return fmt.Errorf("%w: resuming the batch order: %w", ErrConfig, err)
		}
	}
	if r.Dropout != nil {
		if err := t.n.dropSrc.UnmarshalBinary(r.Dropout); err != nil {
			return fmt.Errorf("%w: resuming the dropout masks: %w", ErrConfig, err)
		}
	}
	if r.Plateau != nil && t.c.Plateau != nil {
		if err := t.c.Plateau.SetState(*r.Plateau); err != nil {
			return fmt.Errorf("%w: resuming the plateau rule: %w", ErrConfig, err)
		}
	}
	t.resumeBest(r)
	return nil
}

// snapshot returns the state after epoch done.
func (t *trainer) snapshot(done int, s optimize.Stepper, b *Batches) *TrainState {
	st := &TrainState{Epochs: done, Steps: t.steps, Order: append([]int(nil), b.perm...)}
	if rs, ok := s.(optimize.Resumable); ok {
		o := rs.State()
		st.Optimizer = &o
	}
	st.Batches, _ = b.src.MarshalBinary() // a PCG's MarshalBinary cannot fail
	st.Dropout, _ = t.n.dropSrc.MarshalBinary()
	if t.c.Plateau != nil {
		p := t.c.Plateau.State()
		st.Plateau = &p
	}
	return st
}

func (t *trainer) fullBatch() error {
	n := t.n
	epoch := 0
	var stopErr error
	start := 0
	if r := t.c.Resume; r != nil {
		start, t.steps = r.Epochs, r.Steps
		t.resumeBest(r)
	}
	p := optimize.Problem{
		FuncGrad: func(grad, x []float64) float64 {
			n.SetParams(x)
			t.steps++
			return n.Objective(grad, t.train)
		},
		Func: func(x []float64) float64 {
			n.SetParams(x)
			return n.objectiveValue(t.train)
		},
		HessVec: n.hessVec(t.train, t.c.Curvature, t.c.Damping),
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
			epoch = start + it.Iter
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
	t.h.Resume = &TrainState{Epochs: max(epoch, start), Steps: t.steps}
	t.h.Resume.Dropout, _ = n.dropSrc.MarshalBinary()
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
	return n.trainStep(s, d, idx, 0, "TrainStep")
}

// trainStep is TrainStep with the gradient clipped to norm clip when clip is positive.
func (n *Network) trainStep(s optimize.Stepper, d *Dataset, idx []int, clip float64, where string) (float64, error) {
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
	if clip > 0 {
		optimize.ClipNorm(n.grad, clip)
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

// objectiveValue returns the training objective J on all of d in evaluation mode: the value
// of Objective without the reverse sweep.
func (n *Network) objectiveValue(d *Dataset) float64 {
	p := n.program(d.N, modeEval)
	p.load(d, nil)
	p.tape.Forward()
	return p.J.Data[0]
}

// Curvature selects the second-order information of full-batch training.
type Curvature int

const (
	// HessianFD is the Hessian of the training objective, its products with a vector taken by
	// central differences of two adjoint gradients (adjoint.Tape.HessVec): exact up to O(h²)
	// and round-off, and indefinite away from a minimum (Newton then adds a multiple of I).
	HessianFD Curvature = iota
	// GaussNewton is the generalised Gauss-Newton matrix J_zᵀ H_z J_z of the loss (J_z the
	// Jacobian of the logits with respect to the parameters, H_z the loss's Hessian in the
	// logits) plus the L2 penalty's λI on the penalised weights: one tangent and one reverse
	// sweep per product (adjoint.Tape.GaussNewton), positive semi-definite, and the Hessian
	// itself where the residuals vanish. An L1 penalty contributes no curvature.
	GaussNewton
)

// hessVec returns the product of a curvature matrix c of the training objective on d (in
// evaluation mode), plus damping times the identity, with a vector, on a tape of the network as a function of one parameter
// vector, recorded on first use.
func (n *Network) hessVec(d *Dataset, c Curvature, damping float64) func(dst, x, v []float64) {
	var t *adjoint.Tape
	var w, z, J *adjoint.Value
	var at []float64 // the point of the last forward run (Gauss-Newton)
	return func(dst, x, v []float64) {
		if t == nil {
			t = adjoint.NewTape()
			w = t.Variable(make([]float64, len(n.params)), 1, len(n.params))
			z, J = n.Build(w, t.Constant(d.X, d.N, d.In), t.Constant(d.Y, d.N, d.Out), false)
		}
		if damping > 0 {
			defer floats.AddScaled(dst, damping, v)
		}
		if c == HessianFD {
			copy(w.Data, x)
			t.HessVec(dst, w, J, v, 0)
			return
		}
		if at == nil || !floats.Equal(at, x) {
			// Newton asks for n products at one point: one forward run serves them all.
			copy(w.Data, x)
			t.Forward()
			at = append(at[:0], x...)
		}
		t.GaussNewton(dst, w, z, v, func(dst, src []float64) {
			n.cfg.Loss.curvature(dst, src, z.Data, d.Y, d.N, d.Out)
		})
		if pen := n.cfg.Penalty; pen.Lambda > 0 && pen.q() == 2 {
			for _, r := range n.penalized {
				floats.AddScaled(dst[r[0]:r[0]+r[1]], pen.Lambda, v[r[0]:r[0]+r[1]])
			}
		}
	}
}

// valRows returns the items of a validation set, zero without one.
func valRows(val *Dataset) int {
	if val == nil {
		return 0
	}
	return val.N
}
