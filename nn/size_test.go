package nn

import (
	"errors"
	"strings"
	"testing"

	"github.com/adjunto/adjunto/internal/limits"
)

// TestTrainRefusesBadData guards the rule that Train answers user data that does not fit the
// network with an error wrapping ErrData, where it used to panic.
func TestTrainRefusesBadData(t *testing.T) {
	n, err := NewMLP("2-3-1", MLPOptions{}, Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := NewDataset([]float64{1, 2, 3, 4}, []float64{1, 2}, 2, 2, 1)
	wrongIn, _ := NewDataset([]float64{1, 2, 3}, []float64{1, 2, 3}, 3, 1, 1)
	for _, tc := range []struct {
		name       string
		train, val *Dataset
	}{
		{"no training set", nil, nil},
		{"inputs", wrongIn, nil},
		{"validation inputs", good, wrongIn},
		{"ragged", &Dataset{X: []float64{1}, Y: []float64{1}, N: 2, In: 2, Out: 1}, nil},
	} {
		if _, err := Train(n, tc.train, tc.val, TrainConfig{Epochs: 1}); !errors.Is(err, ErrData) {
			t.Errorf("%s: error %v, want ErrData", tc.name, err)
		}
	}
}

// TestNewRefusesHugeLayers guards the memory check before the parameters are allocated.
func TestNewRefusesHugeLayers(t *testing.T) {
	_, err := NewMLP("1-100000000000-1", MLPOptions{}, Config{})
	if !errors.Is(err, ErrSpec) || !errors.Is(err, limits.ErrTooLarge) || !strings.Contains(err.Error(), "3e+11 parameters") {
		t.Errorf("error %v, want ErrSpec and ErrTooLarge naming the parameters", err)
	}
}
