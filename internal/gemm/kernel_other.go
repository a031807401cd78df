//go:build !amd64 || purego

package gemm

// kernels returns no micro-kernel: on this architecture, or with the purego build tag,
// Dgemm is gonum's.
func kernels() []*kernel { return nil }
