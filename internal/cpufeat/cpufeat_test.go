package cpufeat

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestAgreesWithLinux compares the flags with the kernel's view in /proc/cpuinfo, which
// lists an instruction set only when both the CPU and the OS support it.
func TestAgreesWithLinux(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("needs linux/amd64")
	}
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip(err)
	}
	var flags map[string]bool
	for line := range strings.Lines(string(raw)) {
		if name, list, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "flags" {
			flags = map[string]bool{}
			for _, f := range strings.Fields(list) {
				flags[f] = true
			}
			break
		}
	}
	if flags == nil {
		t.Skip("no flags line in /proc/cpuinfo")
	}
	if purego {
		if AVX2FMA || AVX512F {
			t.Error("purego build reports vector instruction sets")
		}
		return
	}
	if want := flags["avx2"] && flags["fma"]; AVX2FMA != want {
		t.Errorf("AVX2FMA = %v, /proc/cpuinfo says %v", AVX2FMA, want)
	}
	if want := flags["avx2"] && flags["fma"] && flags["avx512f"]; AVX512F != want {
		t.Errorf("AVX512F = %v, /proc/cpuinfo says %v", AVX512F, want)
	}
}
