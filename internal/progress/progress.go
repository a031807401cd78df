// Package progress reports how far a long run has come, on stderr, for people watching a
// terminal and for logs alike.
//
// On a terminal a Meter rewrites one line in place, at most ten times a second. Elsewhere
// (a pipe, a CI log, nohup) it writes a whole line every Interval, repeating the latest
// report when the run has not sent a new one, so that a log shows the run is alive without
// filling up. When the total is known, each line gives the fraction
// done and an estimate of the time left: the elapsed time scaled by the work remaining,
// which assumes that the units of work (cycles, epochs, experiments) cost about the same.
//
// A nil *Meter is silent: commands pass nil for -q.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Interval is the time between lines when the output is not a terminal.
const Interval = 5 * time.Second

// terminalInterval is the time between rewrites of the line on a terminal.
const terminalInterval = 100 * time.Millisecond

// Meter writes progress lines. Its methods may be called from several goroutines.
type Meter struct {
	w        io.Writer
	prefix   string
	total    int
	terminal bool
	every    time.Duration
	now      func() time.Time

	mu      sync.Mutex
	start   time.Time
	last    time.Time
	shown   bool // a terminal line is on screen
	done    int  // the latest report, repeated by the heartbeat
	msg     string
	stop    chan struct{}
	stopped bool
}

// New returns a meter writing to w with lines that start with prefix. total is the number of
// units of work, or 0 when unknown.
func New(w io.Writer, prefix string, total int) *Meter {
	if IsTerminal(w) {
		return newMeter(w, prefix, total, true, terminalInterval, time.Now)
	}
	m := newMeter(w, prefix, total, false, Interval, time.Now)
	m.stop = make(chan struct{})
	go m.heartbeat()
	return m
}

// newMeter returns a meter without its heartbeat, on the clock now.
func newMeter(w io.Writer, prefix string, total int, terminal bool, every time.Duration, now func() time.Time) *Meter {
	m := &Meter{w: w, prefix: prefix, total: total, terminal: terminal, every: every, now: now, done: -1}
	m.start = now()
	m.last = m.start
	return m
}

// heartbeat repeats the latest report every interval until Done.
func (m *Meter) heartbeat() {
	t := time.NewTicker(m.every)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.Update(m.latest())
		}
	}
}

func (m *Meter) latest() (int, string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.done, m.msg
}

// IsTerminal reports whether w is a character device, such as an interactive terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Update reports that done units of the total are finished, with an optional message (the
// latest cost, say). It writes only when the interval has passed since the last line.
func (m *Meter) Update(done int, msg string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done, m.msg = done, msg
	now := m.now()
	if now.Sub(m.last) < m.every {
		return
	}
	m.last = now
	m.write(m.line(done, msg, now.Sub(m.start)))
}

// Message reports progress as free text, for runs whose total is unknown.
func (m *Meter) Message(msg string) { m.Update(-1, msg) }

// Done stops the meter and clears the terminal line, so that what follows starts on a clean
// line.
func (m *Meter) Done() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stop != nil && !m.stopped {
		close(m.stop)
		m.stopped = true
	}
	if m.shown {
		fmt.Fprint(m.w, "\r\033[K")
		m.shown = false
	}
}

func (m *Meter) write(line string) {
	if m.terminal {
		fmt.Fprintf(m.w, "\r\033[K%s", line)
		m.shown = true
		return
	}
	fmt.Fprintln(m.w, line)
}

// line formats one report: "prefix: 25/100 (25%), 12s elapsed, about 36s left: msg".
func (m *Meter) line(done int, msg string, elapsed time.Duration) string {
	s := m.prefix + ":"
	if done >= 0 && m.total > 0 {
		s += fmt.Sprintf(" %d/%d (%.0f%%), %s elapsed", done, m.total, 100*float64(done)/float64(m.total), round(elapsed))
		if done > 0 && done < m.total {
			left := time.Duration(float64(elapsed) * float64(m.total-done) / float64(done))
			s += ", about " + round(left).String() + " left"
		}
	} else {
		s += " " + round(elapsed).String() + " elapsed"
	}
	if msg != "" {
		s += ": " + msg
	}
	return s
}

// round keeps durations readable: whole seconds beyond ten seconds, tenths below.
func round(d time.Duration) time.Duration {
	if d >= 10*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}
