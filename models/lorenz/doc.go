// Package lorenz provides the Lorenz-63 and Lorenz-96 models.
package lorenz
