package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// fakeClock returns a meter on a buffer whose clock the test advances.
func fakeClock(total int) (*Meter, *bytes.Buffer, *time.Time) {
	var b bytes.Buffer
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := New(&b, "run", total)
	m.now = func() time.Time { return t }
	m.start, m.last = t, t
	return m, &b, &t
}

func TestLinesEveryIntervalWithTimeLeft(t *testing.T) {
	m, b, now := fakeClock(100)
	m.Update(1, "")
	if b.Len() != 0 {
		t.Fatalf("wrote before the interval: %q", b.String())
	}
	*now = now.Add(Interval)
	m.Update(25, "J = 3")
	*now = now.Add(time.Second)
	m.Update(30, "") // within the interval: silent
	*now = now.Add(Interval)
	m.Update(50, "")
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := []string{
		"run: 25/100 (25%), 5s elapsed, about 15s left: J = 3",
		"run: 50/100 (50%), 11s elapsed, about 11s left",
	}
	if len(lines) != len(want) {
		t.Fatalf("lines %q, want %q", lines, want)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i, lines[i], want[i])
		}
	}
}

func TestMessageWithoutTotal(t *testing.T) {
	m, b, now := fakeClock(0)
	*now = now.Add(7 * time.Second)
	m.Message("epoch 3")
	if got := strings.TrimSpace(b.String()); got != "run: 7s elapsed: epoch 3" {
		t.Errorf("line %q", got)
	}
}

func TestNilMeterIsSilent(t *testing.T) {
	var m *Meter
	m.Update(1, "x")
	m.Message("x")
	m.Done()
}
