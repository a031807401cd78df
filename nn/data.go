package nn

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

// Dataset holds N items as rows: inputs X (N×In) and targets Y (N×Out), row-major.
type Dataset struct {
	X, Y    []float64
	N       int
	In, Out int
	// InputNames and TargetNames name the columns, when known (from a CSV header).
	InputNames, TargetNames []string
}

// NewDataset returns a dataset of n items over x (n×in) and y (n×out), which it keeps. It
// returns an error wrapping ErrData if the lengths do not match the shape or n is zero.
func NewDataset(x, y []float64, n, in, out int) (*Dataset, error) {
	if n <= 0 || in <= 0 || out <= 0 {
		return nil, fmt.Errorf("%w: empty dataset (%d items, %d inputs, %d targets)", ErrData, n, in, out)
	}
	if len(x) != n*in || len(y) != n*out {
		return nil, fmt.Errorf("%w: %d input and %d target values for %d items of %d inputs and %d targets",
			ErrData, len(x), len(y), n, in, out)
	}
	return &Dataset{X: x, Y: y, N: n, In: in, Out: out}, nil
}

// Subset returns a new dataset with the rows idx of d, copied.
func (d *Dataset) Subset(idx []int) *Dataset {
	s := &Dataset{N: len(idx), In: d.In, Out: d.Out, InputNames: d.InputNames, TargetNames: d.TargetNames}
	s.X = make([]float64, len(idx)*d.In)
	s.Y = make([]float64, len(idx)*d.Out)
	for r, i := range idx {
		copy(s.X[r*d.In:(r+1)*d.In], d.X[i*d.In:(i+1)*d.In])
		copy(s.Y[r*d.Out:(r+1)*d.Out], d.Y[i*d.Out:(i+1)*d.Out])
	}
	return s
}

// Split shuffles the items with seed and splits them into training, validation and test
// sets with the fractions train and val (the test set gets the rest). Zero fractions mean the
// default 70/15/15. Each part with a positive fraction gets at least one item, and the
// training set two; Split returns an error wrapping ErrData if there are too few items for that.
func (d *Dataset) Split(train, val float64, seed uint64) (tr, va, te *Dataset, err error) {
	if train == 0 && val == 0 {
		train, val = 0.70, 0.15
	}
	if !(train > 0) || val < 0 || train+val > 1+1e-12 {
		return nil, nil, nil, fmt.Errorf("%w: split fractions %v/%v, want train > 0, val ≥ 0, sum ≤ 1", ErrData, train, val)
	}
	perm := rand.New(rand.NewPCG(seed, 0x73706c6974)).Perm(d.N) // "split"
	ntr := int(math.Round(train * float64(d.N)))
	nva := int(math.Round(val * float64(d.N)))
	nte := d.N - ntr - nva
	test := 1-train-val > 1e-12
	if test && nte == 0 && ntr > 2 {
		ntr--
		nte++
	}
	if val > 0 && nva == 0 && ntr > 2 {
		ntr--
		nva++
	}
	// Two training items at least: one item has no spread to standardise by or to fit.
	if ntr < 2 || nte < 0 || (val > 0 && nva == 0) || (test && nte == 0) {
		return nil, nil, nil, fmt.Errorf("%w: %d items are too few for a %v/%v split: it needs 2 training items and one in each other part with a fraction > 0", ErrData, d.N, train, val)
	}
	tr = d.Subset(perm[:ntr])
	if nva > 0 {
		va = d.Subset(perm[ntr : ntr+nva])
	}
	if nte > 0 {
		te = d.Subset(perm[ntr+nva:])
	}
	return tr, va, te, nil
}

// CSVOptions selects the columns ReadCSV reads.
type CSVOptions struct {
	// Inputs and Targets name the input and target columns (by header name, or by 1-based
	// number when the name is all digits). Targets may be empty, for prediction.
	Inputs, Targets []string
	// Classes, if positive, reads the single target column as class labels 0…Classes−1 and
	// one-hot encodes them (for CrossEntropy). A negative value infers the number of classes
	// from the largest label.
	Classes int
}

// ReadCSV reads a dataset from a CSV file with a header line. Errors wrap ErrData and name the
// file, the line and the column: a missing column, a non-numeric or non-finite cell, a ragged
// row, an invalid class label, or a file without data rows.
func ReadCSV(path string, o CSVOptions) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrData, err)
	}
	defer f.Close()
	return readCSV(f, path, o)
}

func readCSV(r io.Reader, name string, o CSVOptions) (*Dataset, error) {
	if len(o.Inputs) == 0 {
		return nil, fmt.Errorf("%w: %s: no input columns given", ErrData, name)
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // ragged rows are reported below with the line number
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %s: empty file (no header line)", ErrData, name)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrData, name, err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
		for j := range i {
			if header[j] == header[i] {
				return nil, fmt.Errorf("%w: %s: line 1: column %q repeated in the header (columns %d and %d)", ErrData, name, header[i], j+1, i+1)
			}
		}
	}
	find := func(col string) (int, error) {
		col = strings.TrimSpace(col)
		for i, h := range header {
			if h == col {
				return i, nil
			}
		}
		if k, err := strconv.Atoi(col); err == nil && k >= 1 && k <= len(header) {
			return k - 1, nil
		}
		return 0, fmt.Errorf("%w: %s: line 1: no column %q in the header (columns: %s)", ErrData, name, col, strings.Join(header, ", "))
	}
	var ic, tc []int
	for _, c := range o.Inputs {
		i, err := find(c)
		if err != nil {
			return nil, err
		}
		ic = append(ic, i)
	}
	for _, c := range o.Targets {
		i, err := find(c)
		if err != nil {
			return nil, err
		}
		tc = append(tc, i)
	}
	if o.Classes != 0 && len(tc) != 1 {
		return nil, fmt.Errorf("%w: %s: class labels need exactly one target column, got %d", ErrData, name, len(tc))
	}
	d := &Dataset{In: len(ic), Out: len(tc)}
	for _, i := range ic {
		d.InputNames = append(d.InputNames, header[i])
	}
	for _, i := range tc {
		d.TargetNames = append(d.TargetNames, header[i])
	}
	var labels []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil { // a syntax error, such as an unclosed quote; it names the line
			return nil, fmt.Errorf("%w: %s: %w", ErrData, name, err)
		}
		line, _ := cr.FieldPos(0) // after the error check: a failed Read has no fields
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			return nil, fmt.Errorf("%w: %s: line %d: %d fields, the header has %d", ErrData, name, line, len(rec), len(header))
		}
		cell := func(i int) (float64, error) {
			s := strings.TrimSpace(rec[i])
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				if errors.Is(err, strconv.ErrRange) {
					return 0, fmt.Errorf("%w: %s: line %d, column %d (%s): %q is out of the range of float64 (±1.8e308)", ErrData, name, line, i+1, header[i], s)
				}
				return 0, fmt.Errorf("%w: %s: line %d, column %d (%s): %q is not a finite number", ErrData, name, line, i+1, header[i], s)
			}
			return v, nil
		}
		for _, i := range ic {
			v, err := cell(i)
			if err != nil {
				return nil, err
			}
			d.X = append(d.X, v)
		}
		for _, i := range tc {
			v, err := cell(i)
			if err != nil {
				return nil, err
			}
			if o.Classes != 0 {
				k := int(v)
				if float64(k) != v || k < 0 || (o.Classes > 0 && k >= o.Classes) {
					want := "a whole number ≥ 0"
					if o.Classes > 0 {
						want = fmt.Sprintf("0…%d", o.Classes-1)
					}
					return nil, fmt.Errorf("%w: %s: line %d, column %d (%s): %q is not a class label (want %s)", ErrData, name, line, i+1, header[i], rec[i], want)
				}
				labels = append(labels, k)
				continue
			}
			d.Y = append(d.Y, v)
		}
		d.N++
	}
	if d.N == 0 {
		return nil, fmt.Errorf("%w: %s: no data rows after the header", ErrData, name)
	}
	if o.Classes != 0 {
		k := o.Classes
		if k < 0 {
			for _, l := range labels {
				k = max(k, l+1)
			}
		}
		d.Out = k
		d.Y = OneHot(labels, k)
	}
	return d, nil
}

// OneHot returns the n×k matrix whose row i is the unit vector e_{labels[i]}. It panics if a
// label is outside 0…k−1.
func OneHot(labels []int, k int) []float64 {
	y := make([]float64, len(labels)*k)
	for i, l := range labels {
		if l < 0 || l >= k {
			panic(fmt.Sprintf("nn: OneHot: label %d outside 0…%d", l, k-1))
		}
		y[i*k+l] = 1
	}
	return y
}

// Scaler standardises columns, x ↦ (x − Mean)/Std. Fit it on the training part only, so that
// nothing of the validation and test data leaks into training.
type Scaler struct {
	Mean []float64 `json:"mean"`
	Std  []float64 `json:"std"`
}

// FitScaler returns the scaler of the columns of the n×cols matrix x. A constant column gets
// Std 1, so that it maps to zero instead of dividing by zero.
func FitScaler(x []float64, n, cols int) *Scaler {
	s := &Scaler{Mean: make([]float64, cols), Std: make([]float64, cols)}
	for r := 0; r < n; r++ {
		for j, v := range x[r*cols : (r+1)*cols] {
			s.Mean[j] += v
		}
	}
	for j := range s.Mean {
		s.Mean[j] /= float64(n)
	}
	for r := 0; r < n; r++ {
		for j, v := range x[r*cols : (r+1)*cols] {
			d := v - s.Mean[j]
			s.Std[j] += d * d
		}
	}
	for j := range s.Std {
		s.Std[j] = math.Sqrt(s.Std[j] / float64(n))
		if s.Std[j] == 0 {
			s.Std[j] = 1
		}
	}
	return s
}

// Transform standardises the rows of x in place.
func (s *Scaler) Transform(x []float64) {
	c := len(s.Mean)
	for i := range x {
		x[i] = (x[i] - s.Mean[i%c]) / s.Std[i%c]
	}
}

// Inverse undoes Transform in place.
func (s *Scaler) Inverse(x []float64) {
	c := len(s.Mean)
	for i := range x {
		x[i] = x[i]*s.Std[i%c] + s.Mean[i%c]
	}
}

// Batches iterates over mini-batches of a dataset's row indices. The zero value is not usable;
// use NewBatches.
type Batches struct {
	perm     []int
	size     int
	dropLast bool
	shuffle  bool
	src      *rand.PCG // the state of rng, saved to resume training
	rng      *rand.Rand
	pos      int
}

// NewBatches returns an iterator over n items in batches of size (size ≤ 0 or > n means one
// batch of all n). With shuffle, Reset draws a new order from the seeded generator every
// epoch; with dropLast, a final batch smaller than size is skipped, as PyTorch's drop_last.
func NewBatches(n, size int, shuffle, dropLast bool, seed uint64) *Batches {
	if size <= 0 || size > n {
		size = n
	}
	src := rand.NewPCG(seed, 0x6261746368) // "batch"
	b := &Batches{perm: make([]int, n), size: size, dropLast: dropLast, shuffle: shuffle, src: src, rng: rand.New(src)}
	for i := range b.perm {
		b.perm[i] = i
	}
	return b
}

// Reset starts a new epoch, reshuffling if the iterator shuffles.
func (b *Batches) Reset() {
	b.pos = 0
	if b.shuffle {
		for i := len(b.perm) - 1; i > 0; i-- { // Fisher-Yates
			j := b.rng.IntN(i + 1)
			b.perm[i], b.perm[j] = b.perm[j], b.perm[i]
		}
	}
}

// Next returns the indices of the next batch, or nil at the end of the epoch. The slice is
// the iterator's own and changes at the next Reset.
func (b *Batches) Next() []int {
	rest := len(b.perm) - b.pos
	if rest == 0 || (b.dropLast && rest < b.size) {
		return nil
	}
	k := min(b.size, rest)
	idx := b.perm[b.pos : b.pos+k]
	b.pos += k
	return idx
}

// PerEpoch returns the number of batches in an epoch.
func (b *Batches) PerEpoch() int {
	if b.dropLast {
		return len(b.perm) / b.size
	}
	return (len(b.perm) + b.size - 1) / b.size
}

// Standardize fits the model's scalers on the training set train: InputScaler always, and
// TargetScaler when the network's loss is a regression loss (class labels and 0/1 targets
// are left as they are). Fitting on the training set alone keeps the validation and test
// sets out of training. Standardize changes no data; Transform does.
func (m *Model) Standardize(train *Dataset) {
	m.InputScaler = FitScaler(train.X, train.N, train.In)
	m.TargetScaler = nil
	if !m.Network.Config().Loss.Classification() {
		m.TargetScaler = FitScaler(train.Y, train.N, train.Out)
	}
}

// Transform standardises the inputs and targets of each dataset in place with the model's
// scalers, giving the data the network is trained and evaluated on. Nil scalers and nil
// datasets are skipped.
func (m *Model) Transform(ds ...*Dataset) {
	for _, d := range ds {
		if d == nil {
			continue
		}
		if m.InputScaler != nil {
			m.InputScaler.Transform(d.X)
		}
		if m.TargetScaler != nil {
			m.TargetScaler.Transform(d.Y)
		}
	}
}

// Predict writes the model's predictions for the rows of d's inputs, given in the units of
// the data file, into dst (N×Out) in the units of the targets: the inputs are standardised
// (on a copy; d is left as it is), the network predicts in evaluation mode with its head,
// and the targets' standardisation is undone.
func (m *Model) Predict(dst []float64, d *Dataset) {
	m.PredictMC(dst, nil, d, 0, 0)
}

// PredictMC is Network.PredictMC in the units of the data, as Predict is Network.Predict:
// with T passes of MC dropout from seed it writes the mean and the standard deviation (both
// rescaled to the targets' units); with T = 0 (std nil) it is Predict.
func (m *Model) PredictMC(mean, std []float64, d *Dataset, T int, seed uint64) {
	if m.InputScaler != nil {
		x := append([]float64(nil), d.X...)
		m.InputScaler.Transform(x)
		c := *d
		c.X = x
		d = &c
	}
	if T == 0 {
		m.Network.Predict(mean, d)
	} else {
		m.Network.PredictMC(mean, std, d, T, seed)
	}
	if s := m.TargetScaler; s != nil {
		s.Inverse(mean)
		k := len(s.Std)
		for i := range std {
			std[i] *= s.Std[i%k]
		}
	}
}
