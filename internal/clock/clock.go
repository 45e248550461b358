// Package clock gives the rest of mentorbot its notion of "now", so that tests can
// move time forward instead of sleeping.
package clock

import (
	"sync"
	"time"
)

// Clock tells the current time. Read it once per operation and pass the value on.
type Clock interface {
	Now() time.Time
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Settable is a clock that only moves when told to. It is safe for concurrent use.
type Settable struct {
	mu  sync.Mutex
	now time.Time
}

// NewSettable returns a clock standing at t.
func NewSettable(t time.Time) *Settable { return &Settable{now: t} }

// Now returns the clock's current time.
func (c *Settable) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t (backwards too).
func (c *Settable) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new time.
func (c *Settable) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}
