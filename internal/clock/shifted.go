package clock

import (
	"sync"
	"time"
)

// Shifted is the wall clock moved by an offset that only grows or shrinks when told
// to: it keeps running in real time between moves. The sandbox uses it so a person
// can jump a week ahead and still see seconds pass. It is safe for concurrent use.
type Shifted struct {
	mu     sync.Mutex
	offset time.Duration
	wall   func() time.Time // time.Now unless a test replaces it
}

// NewShifted returns a clock that reads the wall clock plus offset.
func NewShifted(offset time.Duration) *Shifted {
	return &Shifted{offset: offset, wall: time.Now}
}

// Now returns the wall clock plus the offset.
func (c *Shifted) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall().Add(c.offset)
}

// Advance moves the clock forward by d (backwards for a negative d) and returns the
// new time.
func (c *Shifted) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
	return c.wall().Add(c.offset)
}

// Set moves the clock so that it reads t now; it runs on from there.
func (c *Shifted) Set(t time.Time) {
	c.mu.Lock()
	c.offset = t.Sub(c.wall())
	c.mu.Unlock()
}
