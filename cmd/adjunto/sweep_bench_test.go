package main

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/adjunto/adjunto/internal/sweep"
)

// benchSweep writes a sweep of fourdvar with flags over seeds 1-20 and returns its file and
// a function that makes the same 20 runs in this process, one after the other.
func benchSweep(b *testing.B, flags ...string) (file string, inProcess func(out string)) {
	b.Setenv("ADJUNTO_TEST_AS_MAIN", "1")
	file = filepath.Join(b.TempDir(), "bench.json")
	src := `{"command": "fourdvar", "flags": {`
	for i := 0; i < len(flags); i += 2 {
		if i > 0 {
			src += ", "
		}
		src += strconv.Quote(flags[i]) + ": " + flags[i+1]
	}
	if err := os.WriteFile(file, []byte(src+`}, "seeds": 20}`), 0o644); err != nil {
		b.Fatal(err)
	}
	return file, func(out string) {
		for seed := 1; seed <= 20; seed++ {
			args := []string{"fourdvar", "-q", "--seed", strconv.Itoa(seed), "--out", filepath.Join(out, strconv.Itoa(seed))}
			for i := 0; i < len(flags); i += 2 {
				args = append(args, "--"+flags[i]+"="+flags[i+1])
			}
			if code, _, stderr := runArgs(args...); code != exitOK {
				b.Fatal(stderr)
			}
		}
	}
}

// cpuTime returns the user and system time of this process and of its children waited for.
func cpuTime(b *testing.B) time.Duration {
	var self, children syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &self); err != nil {
		b.Fatal(err)
	}
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children); err != nil {
		b.Fatal(err)
	}
	var d time.Duration
	for _, tv := range []syscall.Timeval{self.Utime, self.Stime, children.Utime, children.Stime} {
		d += time.Duration(tv.Nano())
	}
	return d
}

// timeSweep runs the sweep with -j jobs into a fresh folder and returns its wall time, the
// sum of its runs' own wall times and the sum of their CPU times.
func timeSweep(b *testing.B, file string, jobs int) (wall, sum, cpu time.Duration) {
	out := b.TempDir()
	start := time.Now()
	if code, _, stderr := runArgs("sweep", file, "-q", "-j", strconv.Itoa(jobs), "--out", out); code != exitOK {
		b.Fatal(stderr)
	}
	wall = time.Since(start)
	plan, err := sweep.ReadPlan(out)
	if err != nil {
		b.Fatal(err)
	}
	for k := range plan.Runs {
		res, err := sweep.ReadResult(out, &plan.Runs[k])
		if err != nil || res == nil {
			b.Fatal(res, err)
		}
		sum += time.Duration(res.WallSeconds * float64(time.Second))
		cpu += time.Duration(res.CPUSeconds * float64(time.Second))
	}
	return wall, sum, cpu
}

// BenchmarkSweepPool measures the local pool on 20 runs of about 0.1 s on an idle machine
// (the default fourdvar with 200 cycles, seeds 1-20), interleaving in every iteration the
// pool with -j 1 and with -j 2. It reports the -j 2 wall time against the serial sum (the
// runs' own wall times in the -j 1 pass), ≤ 0.6 when both cores are kept busy, and against
// the -j 1 wall time. On a machine shared with other work two more figures say what the wall
// times cannot: the cores the -j 2 runs kept busy (their CPU time over the wall time: what the
// scheduler gave them), and the pool's occupancy (the runs' wall times over 2 × the sweep's:
// 1 when two runs were under way all the time, whatever the other load).
func BenchmarkSweepPool(b *testing.B) {
	file, _ := benchSweep(b, "cycles", "200", "no-figures", "true")
	var wall1, wall2, serial, sum2, cpu2 time.Duration
	for b.Loop() {
		w1, s1, _ := timeSweep(b, file, 1)
		w2, s2, c2 := timeSweep(b, file, 2)
		wall1, wall2, serial, sum2, cpu2 = wall1+w1, wall2+w2, serial+s1, sum2+s2, cpu2+c2
	}
	n := float64(b.N * 20)
	b.ReportMetric(serial.Seconds()*1e3/n, "ms/run")
	b.ReportMetric(wall2.Seconds()/serial.Seconds(), "j2-wall/serial-sum")
	b.ReportMetric(wall2.Seconds()/wall1.Seconds(), "j2-wall/j1-wall")
	b.ReportMetric(cpu2.Seconds()/wall2.Seconds(), "j2-cores-busy")
	b.ReportMetric(sum2.Seconds()/(2*wall2.Seconds()), "j2-occupancy")
}

// BenchmarkSweepOverhead measures what a run costs the pool beyond its work: 20 runs that do
// almost nothing (one cycle, no spin-up), made in this process and by the pool with -j 1,
// interleaved; the difference per run is the process, the folder and the result file, in
// wall time and in CPU time (this process's and its children's), the steadier of the two on
// a busy machine.
func BenchmarkSweepOverhead(b *testing.B) {
	file, inProcess := benchSweep(b, "cycles", "1", "burn-in", "0", "spinup", "0", "no-figures", "true")
	var alone, pool, cpuAlone, cpuPool time.Duration
	for b.Loop() {
		c0, start := cpuTime(b), time.Now()
		inProcess(b.TempDir())
		alone += time.Since(start)
		c1 := cpuTime(b)
		w, _, _ := timeSweep(b, file, 1)
		pool += w
		cpuAlone, cpuPool = cpuAlone+c1-c0, cpuPool+cpuTime(b)-c1
	}
	n := float64(b.N * 20)
	b.ReportMetric(alone.Seconds()*1e3/n, "ms/run-inprocess")
	b.ReportMetric((pool-alone).Seconds()*1e3/n, "ms/run-overhead")
	b.ReportMetric(cpuAlone.Seconds()*1e3/n, "cpu-ms/run-inprocess")
	b.ReportMetric((cpuPool-cpuAlone).Seconds()*1e3/n, "cpu-ms/run-overhead")
}
