// Package sweep expands a sweep file (one adjunto command, the flags its runs share, a grid
// of flag values and a list of seeds) into runs, and runs them: on this machine, a pool of
// processes, or as the tasks of a Slurm job array or a Kubernetes Indexed Job.
//
// # Runs and their ids
//
// The grid is the cartesian product of its axes, the seeds an axis of their own, varied
// fastest. A run is the command line that its point resolves to, with the flags sorted by
// name; its id is a hash of that line (the first 48 bits of SHA-256), so that it does not
// depend on the order of the file's keys or on the position of the run in the grid: growing
// a grid keeps the ids, and so the results, of the runs already made. This is DAPPER's
// xpList (Raanes et al., DAPPER, doi:10.5281/zenodo.2029296), with the runs as processes.
//
// # State, resumption and failures
//
// Every run has its folder, runs/ID, where the command writes its outputs; the sweep writes
// result.json there last, atomically, with the run's status, its error and the numbers of its
// metrics JSON. A run without result.json has not finished: running the sweep again runs it
// (from an empty folder), skips the finished ones, and runs the failed ones again only when
// asked (Runner.RetryFailed). One run failing stops nothing but itself. A run is made under
// an flock on runs/ID.lock, so that two sweep processes sharing a folder (a batch job and a
// local resume) leave each other's runs alone; the kernel drops the lock of a process that
// dies, so no lock outlives its holder.
//
// # Batch systems
//
// The run list (runs.json) is the only state a batch task needs: task i runs runs
// i·PerTask … (i+1)·PerTask − 1 (Plan.Task). SlurmScript writes the sbatch array script,
// K8sJob the Indexed Job manifest; both run "adjunto sweep run" on each index, which is the
// same Runner on one task's runs. Packing several runs per task keeps a sweep of thousands
// of short runs within Slurm's MaxArraySize and its scheduling overhead (about a second per
// task) small against the runs.
package sweep
