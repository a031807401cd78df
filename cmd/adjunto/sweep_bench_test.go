package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/adjunto/adjunto/internal/sweep"
)

// BenchmarkSweepPool measures the local pool on 20 runs of about 0.1 s (the default fourdvar
// with 200 cycles, seeds 1-20), interleaving in every iteration the three ways to make them:
// in this process one after the other (the work itself), the pool with -j 1 (the work plus a
// process per run: the difference is the overhead per run), and the pool with -j 2. It
// reports the time per run in-process, the overhead per run, and the -j 2 wall time against
// the serial sum (the runs' own wall times in the -j 1 pass), which is ≤ 0.6 when both cores
// are kept busy.
func BenchmarkSweepPool(b *testing.B) {
	b.Setenv("ADJUNTO_TEST_AS_MAIN", "1")
	dir := b.TempDir()
	file := filepath.Join(dir, "pool.json")
	src := `{"command": "fourdvar", "flags": {"cycles": 200, "no-figures": true}, "seeds": 20}`
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	var inproc, pool1, pool2, serialSum time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		for seed := 1; seed <= 20; seed++ {
			if code, _, stderr := runArgs("fourdvar", "--cycles", "200", "--no-figures", "-q",
				"--seed", strconv.Itoa(seed), "--out", filepath.Join(dir, "alone", strconv.Itoa(seed))); code != exitOK {
				b.Fatal(stderr)
			}
		}
		inproc += time.Since(start)
		for _, j := range []int{1, 2} {
			out := filepath.Join(dir, "pool"+strconv.Itoa(j)+"-"+strconv.Itoa(i))
			start := time.Now()
			if code, _, stderr := runArgs("sweep", file, "-q", "-j", strconv.Itoa(j), "--out", out); code != exitOK {
				b.Fatal(stderr)
			}
			el := time.Since(start)
			if j == 2 {
				pool2 += el
				continue
			}
			pool1 += el
			plan, err := sweep.ReadPlan(out)
			if err != nil {
				b.Fatal(err)
			}
			for k := range plan.Runs {
				res, err := sweep.ReadResult(out, &plan.Runs[k])
				if err != nil || res == nil {
					b.Fatal(res, err)
				}
				serialSum += time.Duration(res.WallSeconds * float64(time.Second))
			}
		}
	}
	n := float64(b.N * 20)
	b.ReportMetric(inproc.Seconds()*1e3/n, "ms/run-inprocess")
	b.ReportMetric((pool1-inproc).Seconds()*1e3/n, "ms/run-overhead")
	b.ReportMetric(serialSum.Seconds()*1e3/n, "ms/run-serial")
	b.ReportMetric(pool2.Seconds()/serialSum.Seconds(), "j2-wall/serial-sum")
	b.ReportMetric(pool2.Seconds()/pool1.Seconds(), "j2-wall/j1-wall")
}
