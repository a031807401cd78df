package adjoint

// Model is a discrete-time dynamical model x_{k+1} = M(x_k; p), one step of a time integrator,
// with its tangent-linear (TL) and adjoint (AD) steps with respect to the state x and the
// parameters p: the operational form of a model's derivatives, hand-written ("fused") for
// speed and proved against the version composed on a tape. It is the contract between the
// models (package models/lorenz implements it) and what uses them (Loop here, package
// fourdvar), so that neither side imports the other.
//
// Implementations fix their own time step and integrator, own scratch buffers (they are not
// safe for concurrent use), and must not allocate in the three step methods: a 4DVar cost
// calls them K times per evaluation.
type Model interface {
	Stepper

	// Dim returns the size of the state vector.
	Dim() int

	// StepTangent sets dy = M'(x) dx + M_p(x) dp, the TL step (a JVP) about x. A nil dp is
	// read as zero.
	StepTangent(dy, x, dx, dp []float64)

	// NumParams returns the number of model parameters p (σ, ρ, β of Lorenz-63; the forcing
	// F of Lorenz-96).
	NumParams() int

	// Params returns a copy of the current parameters, which the caller may keep and modify.
	Params() []float64

	// SetParams sets the parameters used by the next steps from p, of length NumParams.
	SetParams(p []float64)
}
