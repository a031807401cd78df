package sweep

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
)

// MaxArrayTasks is the most array tasks a sweep asks of Slurm unless told otherwise: Slurm's
// default MaxArraySize is 1001, indices 0-1000. Larger sweeps pack several runs per task.
const MaxArrayTasks = 1000

// Batch describes how batch tasks reach a sweep: the binary and the folders as the cluster's
// nodes see them.
type Batch struct {
	Executable string // adjunto on a filesystem the nodes share (Slurm)
	Dir        string // the sweep folder, absolute
	Workdir    string // where runs start, absolute

	Partition string // Slurm partition; empty for the cluster's default
	Time      string // Slurm time limit per task, such as 00:30:00; empty for the partition's default
	ArrayMax  int    // tasks running at once (%K in --array, parallelism of the Job); 0 for no limit

	Image string // container image with adjunto on its PATH (Kubernetes)
	Claim string // PersistentVolumeClaim holding the sweep folder (Kubernetes)
}

// SlurmLogDir is the folder, inside the sweep folder, of the array tasks' output.
const SlurmLogDir = "slurm"

// SlurmScript returns an sbatch job-array script with one array task per Plan.Task: task i
// runs "adjunto sweep run --index i", that is runs i·PerTask … (i+1)·PerTask−1, skipping those
// already finished.
func SlurmScript(p *Plan, b Batch) string {
	var s strings.Builder
	n := p.Tasks()
	fmt.Fprintf(&s, "#!/bin/bash\n# adjunto sweep %s: %d runs in %d array tasks of up to %d runs.\n", p.Name, len(p.Runs), n, max(p.PerTask, 1))
	fmt.Fprintf(&s, "# Written by adjunto sweep --slurm; submit with: sbatch %s\n", shellQuote(filepath.Join(b.Dir, "sweep.sbatch")))
	fmt.Fprintf(&s, "#SBATCH --job-name=adjunto-%s\n", p.Name)
	array := fmt.Sprintf("0-%d", n-1)
	if b.ArrayMax > 0 {
		array += fmt.Sprintf("%%%d", b.ArrayMax)
	}
	fmt.Fprintf(&s, "#SBATCH --array=%s\n", array)
	if b.Partition != "" {
		fmt.Fprintf(&s, "#SBATCH --partition=%s\n", b.Partition)
	}
	if b.Time != "" {
		fmt.Fprintf(&s, "#SBATCH --time=%s\n", b.Time)
	}
	s.WriteString("#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n")
	// sbatch reads #SBATCH lines verbatim: the path must not need quoting.
	fmt.Fprintf(&s, "#SBATCH --output=%s\n", filepath.Join(b.Dir, SlurmLogDir, "%A_%a.out"))
	s.WriteString("set -eu\n")
	fmt.Fprintf(&s, "cd %s\n", shellQuote(b.Workdir))
	fmt.Fprintf(&s, "exec %s sweep run --dir %s --index \"$SLURM_ARRAY_TASK_ID\"\n", shellQuote(b.Executable), shellQuote(b.Dir))
	return s.String()
}

// K8sMount is where the Job's pods mount the sweep folder.
const K8sMount = "/sweep"

// K8sJob returns a Kubernetes Indexed Job (batch/v1) as JSON, which kubectl apply -f takes as
// it takes YAML: one completion per Plan.Task, each pod running "adjunto sweep run", which
// reads its index from JOB_COMPLETION_INDEX. The sweep folder is the volume claim's root.
func K8sJob(p *Plan, b Batch) ([]byte, error) {
	n := p.Tasks()
	par := n
	if b.ArrayMax > 0 {
		par = min(n, b.ArrayMax)
	}
	type obj = map[string]any
	job := obj{
		"apiVersion": "batch/v1",
		"kind":       "Job",
		"metadata":   obj{"name": k8sName("adjunto-sweep-" + p.Name)},
		"spec": obj{
			"completionMode": "Indexed",
			"completions":    n,
			"parallelism":    par,
			// A task that fails records its runs' failures and exits 1; retrying it is what
			// adjunto sweep --retry-failed is for, not the Job's.
			"backoffLimitPerIndex": 0,
			"template": obj{"spec": obj{
				"restartPolicy": "Never",
				"containers": []obj{{
					"name":         "run",
					"image":        b.Image,
					"workingDir":   K8sMount,
					"command":      []string{"adjunto", "sweep", "run", "--dir", K8sMount, "--workdir", K8sMount},
					"volumeMounts": []obj{{"name": "sweep", "mountPath": K8sMount}},
				}},
				"volumes": []obj{{"name": "sweep", "persistentVolumeClaim": obj{"claimName": b.Claim}}},
			}},
		},
	}
	out, err := json.MarshalIndent(job, "", "  ")
	return append(out, '\n'), err
}

// k8sName makes s a valid object name: lower case letters, digits and '-', at most 63.
func k8sName(s string) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			b[i] = '-'
		}
	}
	return strings.Trim(string(b[:min(len(b), 63)]), "-")
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
