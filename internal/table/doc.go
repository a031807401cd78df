// Package table makes the result tables of a sweep: a metric over the grid's axes, each cell
// the mean over the runs that differ only in their seed, with a 95 % confidence interval.
//
// # The interval
//
// For n seeds with values x_i, the cell is the mean x̄ and the half-width
//
//	h = t_{0.975, n−1} · s / √n,   s² = Σ (x_i − x̄)² / (n − 1),
//
// with t_{0.975, n−1} the 0.975 quantile of Student's t with n − 1 degrees of freedom
// (gonum's distuv.StudentsT): the seeds are independent repetitions, and the t quantile
// rather than the normal's 1.96 accounts for s being estimated from few of them (12.7 for two
// seeds, 3.18 for four, 2.26 for ten). The cell is printed as DAPPER prints an uncertain
// quantity (dapper.tools.rounding.UncertainQtty): the half-width rounded to one significant
// digit and the mean to the same decimal place, "0.37 ±0.02". Runs that failed, or gave a
// value that is not finite, are counted in the cell and left out of the mean.
package table
