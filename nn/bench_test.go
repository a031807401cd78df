package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/adjunto/adjunto/internal/cputime"
	"github.com/adjunto/adjunto/optimize"
)

// The training benchmarks of the issue, to be compared with PyTorch 1.13 and gorgonia on the
// same shapes (run with GOMAXPROCS=1): one iteration is one epoch, and samples/s counts the
// items of the epoch's mini-batches.

// BenchmarkTrainSin is (a): the course's 1-100-1 tanh network, 1000 points, mini-batches of
// 64 reshuffled every epoch with drop_last (15 steps of 64 = 960 samples per epoch), Adam,
// CourseMSE.
func BenchmarkTrainSin(b *testing.B) {
	d := sinData(1000, 0.1, 1)
	n, err := NewMLP("1-100-1:tanh", MLPOptions{}, Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	benchEpochs(b, n, d, 64)
}

// BenchmarkTrainMNISTShape is (b): a 784-256-256-10 ReLU network on 10,000 N(0,1) inputs with
// random labels, mini-batches of 128 (78 steps with drop_last), Adam, cross-entropy: the data
// of the PyTorch peer (torch_mlp.py). Inputs in U[0,1] instead would flatter a kernel whose
// speed depends on the data, such as one that skips zeros after a ReLU.
func BenchmarkTrainMNISTShape(b *testing.B) { benchMNIST(b, 256) }

// BenchmarkTrainMNISTWidth is BenchmarkTrainMNISTShape with hidden layers of 64 and 1024 units
// (784-w-w-10), where the matrix products are smaller and larger.
func BenchmarkTrainMNISTWidth(b *testing.B) {
	for _, w := range []int{64, 1024} {
		b.Run(fmt.Sprintf("w=%d", w), func(b *testing.B) { benchMNIST(b, w) })
	}
}

func benchMNIST(b *testing.B, width int) {
	const N, in, classes = 10000, 784, 10
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, N*in)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	labels := make([]int, N)
	for i := range labels {
		labels[i] = rng.IntN(classes)
	}
	d, err := NewDataset(x, OneHot(labels, classes), N, in, classes)
	if err != nil {
		b.Fatal(err)
	}
	n, err := NewMLP(fmt.Sprintf("%d-%d-%d-%d:relu", in, width, width, classes), MLPOptions{}, Config{Loss: CrossEntropy, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	benchEpochs(b, n, d, 128)
}

func benchEpochs(b *testing.B, n *Network, d *Dataset, batch int) {
	opt := &optimize.Adam{LearningRate: 1e-3}
	if err := opt.Init(n.NumParams()); err != nil {
		b.Fatal(err)
	}
	bt := NewBatches(d.N, batch, true, true, 1)
	epoch := func() int {
		bt.Reset()
		k := 0
		for idx := bt.Next(); idx != nil; idx = bt.Next() {
			if _, err := n.TrainStep(opt, d, idx); err != nil {
				b.Fatal(err)
			}
			k += len(idx)
		}
		return k
	}
	epoch() // records the program
	b.ReportAllocs()
	samples := 0
	b.ResetTimer()
	cpu0 := cputime.Seconds()
	for b.Loop() {
		samples += epoch()
	}
	b.ReportMetric(float64(samples)/b.Elapsed().Seconds(), "samples/s")
	if cpu := cputime.Seconds() - cpu0; cpu > 0 { // steadier on a shared machine
		b.ReportMetric(float64(samples)/cpu, "samples/cpu-s")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(samples), "ns/sample")
}
