#!/usr/bin/env bash
# peer.sh: adjunto's network training against PyTorch's, interleaved and single-threaded.
#
#   bench/peer.sh [rounds]      (default 3; needs /usr/bin/python3 with torch and numpy:
#                                apt-get install -y python3-torch python3-numpy)
#
# For each round and each case it runs adjunto's benchmark (A), then PyTorch's (B), so that
# A B A B ... see the same machine load; one thread each (GOMAXPROCS=1, torch.set_num_threads(1)).
# It prints samples/s of each run, the ratio adjunto/PyTorch of each round, and the median ratio,
# by wall time and by CPU time (the processor time of each process, which does not count the
# time it waits for a core: the steadier measure on a shared machine).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
py=${PYTHON:-/usr/bin/python3}
mkdir -p out/bench
go test -c -o out/bench/nn.test ./nn
cpuinfo() { grep -m1 "^$1" /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//' || true; }
avx512=$(grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo ", AVX-512" || true)
echo "cpu: $(cpuinfo 'model name') (family $(cpuinfo 'cpu family'), model $(cpuinfo 'model')$avx512), $(nproc --all) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)"
export GOMAXPROCS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
echo "go: $(go version | cut -d' ' -f3-); torch: $($py -c 'import torch; print(torch.__version__)'); BLAS: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)"

# case name | Go benchmark | -benchtime | torch_peer.py arguments
cases=(
	"1-100-1 tanh b64|^BenchmarkTrainSin$|200x|--case sin"
	"784-64-64-10 b128|^BenchmarkTrainMNISTWidth$/^w=64$|3x|--case mlp --width 64"
	"784-256-256-10 b128|^BenchmarkTrainMNISTShape$|3x|--case mlp --width 256"
	"784-1024-1024-10 b128|^BenchmarkTrainMNISTWidth$/^w=1024$|1x|--case mlp --width 1024 --epochs 1"
)

goRate() { # samples/s and samples/cpu-s of one Go benchmark run
	out/bench/nn.test -test.run '^$' -test.bench "$1" -test.benchtime "$2" | awk '/samples\/s/ {
		for (i = 2; i <= NF; i++) { if ($i == "samples/s") w = $(i-1); if ($i == "samples/cpu-s") c = $(i-1) }
		print w, c }'
}
pyRate() { # samples/s and samples/cpu-s of one PyTorch run
	# shellcheck disable=SC2086
	$py bench/torch_peer.py $1 | sed 's/.*"samples_per_s": \([0-9.e+]*\), "samples_per_cpu_s": \([0-9.e+]*\).*/\1 \2/'
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A wall cpu
for ((r = 1; r <= rounds; r++)); do
	for c in "${cases[@]}"; do
		IFS='|' read -r name bench bt pyargs <<<"$c"
		read -r aw ac <<<"$(goRate "$bench" "$bt")"
		read -r bw bc <<<"$(pyRate "$pyargs")"
		rw=$(awk -v a="$aw" -v b="$bw" 'BEGIN { printf "%.2f", a / b }')
		rc=$(awk -v a="$ac" -v b="$bc" 'BEGIN { printf "%.2f", a / b }')
		wall[$name]+="$rw "
		cpu[$name]+="$rc "
		printf 'round %d  %-22s samples/s: adjunto %9.0f PyTorch %9.0f ratio %6s | per CPU s: adjunto %9.0f PyTorch %9.0f ratio %6s\n' \
			"$r" "$name" "$aw" "$bw" "$rw" "$ac" "$bc" "$rc"
	done
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)"
echo "median ratio adjunto/PyTorch over $rounds rounds (wall time; CPU time):"
for c in "${cases[@]}"; do
	name=${c%%|*}
	printf '  %-22s %s×  %s×   (wall: %s; CPU: %s)\n' "$name" "$(median <<<"${wall[$name]}")" \
		"$(median <<<"${cpu[$name]}")" "${wall[$name]% }" "${cpu[$name]% }"
done
