// Package vmath holds elementwise kernels over float64 slices, computed many at a time with
// AVX-512 where the CPU has it: tanh (Tanh), the Jacobians of ReLU and of tanh (ReLUChain,
// TanhChain: the tangent and adjoint rules of a network's activations) and the Adam step
// (Adam). ReLUChain, TanhChain and Adam give the bits of their scalar loops; tanh does not
// (below).
//
// # tanh
//
// Both kernels compute tanh x = u/(u+2) with u = e^{2x} − 1, a form with no cancellation for
// small |x| as long as u is accurate there, and no data-dependent branch: math.Tanh switches
// between a rational approximation and 1 − 2/(e^{2|x|}+1) and so mispredicts on the mixed
// magnitudes of pre-activations. They differ in how they get u:
//
//   - the scalar kernel (tanh) reduces with a table of 2^{j/32} (Tang 1989), so that a
//     degree-7 polynomial suffices;
//   - the AVX-512 kernel (tanhAVX512) reduces by whole powers of two only, which VSCALEFPD
//     applies with no table lookup, and pays with a degree-13 polynomial: a dozen FMAs on eight
//     lanes at once cost less than one gather.
//
// Both are within 3 ulp of math.Tanh over the whole float64 range (TestTanhAccuracy), but not
// bit-identical to each other: results are deterministic for a given build and CPU.
//
// P. T. P. Tang, Table-driven implementation of the exponential function in IEEE
// floating-point arithmetic, ACM Trans. Math. Softw. 15(2), 144–157, 1989.
package vmath
