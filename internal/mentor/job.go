package mentor

import "time"

// Job is work that must happen, kept durably until it is done: a nudge to send, a duo
// to open, a notice to post. Its Key is unique: scheduling the same key again finds
// the same job, so an event delivered twice schedules one job.
type Job struct {
	Key  string // what the work is about, e.g. "nudge:welcome:<cycle>:<duo>"
	Kind string // which performer runs it
	Due  time.Time
	// Data is what the performer needs: ids and small values, never what people
	// wrote in confidence.
	Data map[string]string

	Attempts  int       // claims so far, this one included
	LastError string    // why the last attempt failed; "" after a success
	Uncertain bool      // an earlier attempt may have taken effect: look before repeating it
	CreatedAt time.Time // when it was first scheduled

	// Token and Gen identify a claim: only the holder of the claim may finish the
	// job, and a job scheduled again while it ran (Gen changed) is kept.
	Token string
	Gen   int
}

// ScheduleMode says what scheduling a key that already has a job does.
type ScheduleMode int

const (
	// ScheduleReplace stores the job and moves it to its new due time, also when a
	// job of that key was done before (a redraw, the next digest).
	ScheduleReplace ScheduleMode = iota
	// ScheduleKeep leaves an existing job as it is: the first schedule wins, and a
	// job that was done is not made again.
	ScheduleKeep
	// ScheduleEarlier moves an existing job only if the new due time is earlier (and
	// nobody is performing it), keeping its data; a missing job is stored, unless it
	// was done.
	ScheduleEarlier
)

// Retried reports whether an earlier attempt of the job may have taken effect: it
// was marked uncertain, or this is not its first attempt (one before failed, or
// died, before recording what it did). Before repeating a side effect, look.
func (j Job) Retried() bool { return j.Uncertain || j.Attempts > 1 }
