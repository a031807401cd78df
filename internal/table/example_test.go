package table_test

import (
	"fmt"

	"github.com/adjunto/adjunto/internal/table"
)

// The analysis RMSE of four seeds, as a cell of a table prints it.
func ExampleMeanCI() {
	mean, half := table.MeanCI([]float64{0.31, 0.35, 0.33, 0.29})
	fmt.Printf("%.4f ± %.4f\n", mean, half)
	fmt.Println(table.Format(mean, half))
	// Output:
	// 0.3200 ± 0.0411
	// 0.32 ±0.04
}
