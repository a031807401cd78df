package fourdvar

import "gonum.org/v1/gonum/mat"

// climatology returns the covariance of a long free run of m (2000 states 10 steps apart
// after 2000 steps) from a fixed start independent of any twin experiment's truth.
func climatology(m Model) *mat.SymDense {
	x0 := make([]float64, m.Dim())
	for i := range x0 {
		x0[i] = 1 + 0.1*float64(i%7)
	}
	return Climatology(m, x0, 2000, 2000, 10)
}

// ColdStart returns the covariance of a cold start's first background error for model m:
// twice the climatological covariance (climatology), the covariance of the difference of
// two independent states of the climatology. With Twin.FirstBackground set to it, the first
// background is the truth plus an error as large as that of a random state of the model's
// climatology (an RMSE of about 5 on Lorenz-96 with F = 8), with no knowledge of the truth.
func ColdStart(m Model) (Covariance, error) {
	return NewDense(climatology(m), 2)
}
