package experiments

import (
	"fmt"
	"strings"

	"github.com/adjunto/adjunto/internal/limits"
)

// fits refuses a config whose run would store more float64 values than the machine's memory
// holds: the product of counts, the sizes set by keys (comma-separated config keys) times what
// the run keeps of each. The product is formed in float64, so that huge values cannot
// overflow into a small or negative allocation.
func fits(keys string, counts ...int) error {
	return limits.Values(strings.ReplaceAll(keys, ",", ", "), fmt.Sprintf("about %.3g stored values", limits.Product(counts...)),
		limits.Product(counts...))
}
