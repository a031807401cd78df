#!/usr/bin/env bash
# slurm-local.sh: start a single-node Slurm cluster on this machine, submit a 12-run adjunto
# sweep to it as a job array of 4 tasks of 3 runs each, wait for it, check its table against
# the same sweep run by the local pool, and stop the cluster.
#
# Needs Debian's slurm-wlm and munge (apt-get install -y slurm-wlm munge), root (the daemons
# run as root, with their state in a temporary folder; nothing under /etc is touched), and Go.
# Run from anywhere:  scripts/slurm-local.sh
# The Go test TestSlurmLocal (cmd/adjunto) runs it when ADJUNTO_SLURM_TEST=1.
# Ports 16817/16818 (override with SLURM_LOCAL_PORT_BASE) must be free. Exit 0 when the table matches.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/adjunto-slurm.XXXXXX)
base=${SLURM_LOCAL_PORT_BASE:-16817}
node=$(hostname -s)
pids=()

log() { echo "slurm-local: $*" >&2; }

cleanup() {
	local code=$?
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [[ $code -ne 0 ]]; then
		log "failed (exit $code); daemon logs:"
		tail -n 20 "$work"/*.log "$work"/*.out >&2 2>/dev/null || true
	fi
	rm -rf "$work"
	exit "$code"
}
trap cleanup EXIT

for cmd in munged slurmctld slurmd sbatch squeue sinfo go; do
	command -v "$cmd" >/dev/null || { log "$cmd not found (apt-get install -y slurm-wlm munge)"; exit 1; }
done

# munge: a fresh key and socket of our own.
mkdir -p "$work/munge"
chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --foreground --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
	--pid-file="$work/munge/munged.pid" --log-file="$work/munged.log" --seed-file="$work/munge/seed" >>"$work/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -S $work/munge/munge.socket ]] && break; sleep 0.1; done
[[ -S $work/munge/munge.socket ]] || { log "munged did not start"; exit 1; }

# slurm.conf for this host: one node with all its CPUs, one partition, no accounting, no cgroups.
cpus=$(nproc)
mkdir -p "$work/ctld" "$work/spool"
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<CONF
ClusterName=adjunto-local
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket
StateSaveLocation=$work/ctld
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
MaxArraySize=1001
NodeName=$node CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF

slurmctld -D -f "$SLURM_CONF" >>"$work/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >>"$work/slurmd.out" 2>&1 &
pids+=($!)
log "waiting for node $node to be idle"
for _ in $(seq 100); do
	state=$(sinfo -h -n "$node" -o %t 2>/dev/null || true)
	[[ $state == idle ]] && break
	sleep 0.3
done
[[ ${state:-} == idle ]] || { log "node state '${state:-none}', want idle"; exit 1; }

log "building adjunto"
(cd "$repo" && go build -o "$work/adjunto" ./cmd/adjunto)

cat >"$work/twelve.json" <<'JSON'
{
  "name": "slurm-twelve",
  "command": "fourdvar",
  "flags": {"cycles": 20, "burn-in": 5, "no-figures": true},
  "grid": {"b-sigma": [0.2, 0.3, 0.5]},
  "seeds": 4
}
JSON

cd "$work"
log "submitting the 12-run sweep"
"$work/adjunto" sweep twelve.json --slurm --submit --partition local --time 00:05:00 --array-max 2 --per-task 3 --out "$work/slurm-sweep" | tee "$work/submit.txt"
job=$(sed -n 's/^submitted job \([0-9]*\).*/\1/p' "$work/submit.txt")
[[ -n $job ]] || { log "no job id"; exit 1; }
start=$(date +%s)
while [[ -n $(squeue -h -j "$job" 2>/dev/null) ]]; do
	if (($(date +%s) - start > 300)); then
		log "job $job still queued or running after 300 s"
		squeue -j "$job" >&2
		exit 1
	fi
	sleep 1
done
log "job $job finished in $(($(date +%s) - start)) s; $(ls "$work/slurm-sweep/slurm" | wc -l) task logs"
[[ $(ls "$work/slurm-sweep/slurm" | wc -l) == 4 ]] || { log "want 4 task logs"; exit 1; }

"$work/adjunto" table "$work/slurm-sweep" --no-figure | tee "$work/table.md"
grep -q '| 0.5 |' "$work/table.md" || { log "the table lacks the row b-sigma=0.5"; exit 1; }
if grep -q failed "$work/table.md"; then
	log "some runs failed"
	exit 1
fi

log "the same sweep on the local pool, for comparison"
"$work/adjunto" sweep twelve.json -q --out "$work/local-sweep" >/dev/null
"$work/adjunto" table "$work/local-sweep" --no-figure >/dev/null
if ! cmp "$work/slurm-sweep/table.csv" "$work/local-sweep/table.csv"; then
	log "the Slurm and local tables differ"
	diff "$work/slurm-sweep/table.csv" "$work/local-sweep/table.csv" >&2 || true
	exit 1
fi
n=$(awk -F, 'NR > 1 { s += $4 } END { print s }' "$work/slurm-sweep/table.csv")
[[ $n == 12 ]] || { log "$n runs in the table, want 12"; exit 1; }
log "ok: 12 runs through Slurm job $job, table identical to the local pool's"
