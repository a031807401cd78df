package main

import (
	"fmt"

	"github.com/adjunto/adjunto/internal/limits"
)

// stateCopies bounds the states of n variables a command keeps beside its main store: the
// model's workspaces, RK4 stages, background, analysis and forecast.
const stateCopies = 64

// checkStateSize refuses a model of n variables whose working states alone would not fit in
// memory, naming the flag that set n.
func checkStateSize(flag string, n int) error {
	return limits.Values(fmt.Sprintf("%s %d", flag, n),
		fmt.Sprintf("about %d working states of %d variables", stateCopies, n), limits.Product(n, stateCopies))
}
