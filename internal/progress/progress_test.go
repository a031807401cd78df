package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock returns a meter on a buffer whose clock the test advances.
func fakeClock(total int) (*Meter, *bytes.Buffer, *time.Time) {
	var b bytes.Buffer
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := newMeter(&b, "run", total, false, Interval, func() time.Time { return t }) // no heartbeat: the test drives the clock
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

// TestHeartbeatRepeatsTheLatestReport: a run that reports rarely still shows a line every
// interval, with the elapsed time moving on.
func TestHeartbeatRepeatsTheLatestReport(t *testing.T) {
	var b syncBuffer
	m := newMeter(&b, "run", 0, false, 10*time.Millisecond, time.Now)
	m.stop = make(chan struct{})
	go m.heartbeat()
	m.Message("estimating")
	time.Sleep(100 * time.Millisecond)
	m.Done()
	if n := strings.Count(b.String(), ": estimating\n"); n < 2 {
		t.Errorf("%d heartbeat lines in %q, want several", n, b.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the heartbeat's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestNilMeterIsSilent(t *testing.T) {
	var m *Meter
	m.Update(1, "x")
	m.Message("x")
	m.Done()
}
