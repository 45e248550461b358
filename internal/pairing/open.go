package pairing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Workspace is what opening a duo needs from the chat workspace (Slack). Each call
// must be safe to repeat after a failure: inviting someone already in the channel
// is success, not an error.
type Workspace interface {
	// CreatePrivateChannel makes a private channel and returns its id, or
	// ErrNameTaken when the name is in use (archived channels included).
	CreatePrivateChannel(ctx context.Context, name string) (id string, err error)
	// FindChannel looks up the channel called name and reports whether it is one
	// this duo may adopt: made by the bot, not archived, with nobody in it but the
	// bot and members. ok is false when there is no such channel.
	FindChannel(ctx context.Context, name string, members ...string) (id string, ok bool, err error)
	Invite(ctx context.Context, channelID string, userIDs ...string) error
	// PostWelcome posts the duo's welcome and checklist and returns its timestamp.
	PostWelcome(ctx context.Context, c mentor.Cycle, d mentor.Duo) (ts string, err error)
	// TellMember tells one member by DM that the duo is open.
	TellMember(ctx context.Context, c mentor.Cycle, d mentor.Duo, userID string) error
	// TellCommittee posts the one-line record of the new duo.
	TellCommittee(ctx context.Context, c mentor.Cycle, d mentor.Duo) error
	// Name returns a person's display name for the channel name.
	Name(ctx context.Context, cycleID, userID string) string
}

// ErrNameTaken is a Workspace's answer when a channel name is in use.
var ErrNameTaken = errors.New("channel name taken")

// maxNameTries bounds the suffixes tried after name_taken.
const maxNameTries = 20

// openLockTTL bounds how long one replica may hold a duo's opening before another
// may take over (Slack tier-2 calls can be slow under rate limits).
const openLockTTL = 2 * time.Minute

// ErrBusy means another replica is opening the same duo right now.
var ErrBusy = mentor.Errorf(mentor.ECONFLICT, "This duo is being set up right now; it will be ready in a moment.")

// Open sets the duo up in the workspace: private channel, both invited, welcome
// with checklist, both told, committee told. Each finished step is recorded at once,
// so a retry after a failure (Slack down, rate limited, a crash) continues where it
// stopped and nothing is done twice. Only one replica opens a given duo at a time.
// The returned duo shows the progress; a failing step is also recorded in
// Setup.LastError.
func (s *Service) Open(ctx context.Context, c mentor.Cycle, duoID string, ws Workspace) (mentor.Duo, error) {
	release, ok, err := s.store.Lock(ctx, "open-duo:"+duoID, openLockTTL)
	if err != nil {
		return mentor.Duo{}, err
	}
	if !ok {
		return mentor.Duo{}, ErrBusy
	}
	defer release()
	// Finish (or fail) well before the lock expires, so no second replica can start
	// on this duo while this one still works on it.
	ctx, cancel := context.WithTimeout(ctx, openLockTTL-15*time.Second)
	defer cancel()

	ds, err := s.store.Duos(ctx, c.ID, []string{duoID})
	if err != nil {
		return mentor.Duo{}, err
	}
	if len(ds) == 0 {
		return mentor.Duo{}, mentor.Errorf(mentor.ENOTFOUND, "That duo no longer exists.")
	}
	d := ds[0]
	steps := []struct {
		name string
		done func(mentor.DuoSetup) bool
		run  func() error
	}{
		{"create the channel", func(x mentor.DuoSetup) bool { return x.ChannelCreated }, func() error { return s.createChannel(ctx, c, &d, ws) }},
		{"invite both", func(x mentor.DuoSetup) bool { return x.Invited }, func() error {
			if err := ws.Invite(ctx, d.ChannelID, d.MenteeID, d.MentorID); err != nil {
				return err
			}
			return s.record(ctx, &d, func(x *mentor.Duo) { x.Setup.Invited = true })
		}},
		{"post the welcome", func(x mentor.DuoSetup) bool { return x.WelcomePosted }, func() error {
			ts, err := ws.PostWelcome(ctx, c, d)
			if err != nil {
				return err
			}
			return s.record(ctx, &d, func(x *mentor.Duo) { x.Setup.WelcomePosted, x.Setup.WelcomeTS = true, ts })
		}},
		{"tell the mentee", func(x mentor.DuoSetup) bool { return x.MenteeTold }, func() error {
			if err := ws.TellMember(ctx, c, d, d.MenteeID); err != nil {
				return err
			}
			return s.record(ctx, &d, func(x *mentor.Duo) { x.Setup.MenteeTold = true })
		}},
		{"tell the mentor", func(x mentor.DuoSetup) bool { return x.MentorTold }, func() error {
			if err := ws.TellMember(ctx, c, d, d.MentorID); err != nil {
				return err
			}
			return s.record(ctx, &d, func(x *mentor.Duo) { x.Setup.MentorTold = true })
		}},
		{"tell the committee", func(x mentor.DuoSetup) bool { return x.CommitteeTold }, func() error {
			if err := ws.TellCommittee(ctx, c, d); err != nil {
				return err
			}
			return s.record(ctx, &d, func(x *mentor.Duo) {
				x.Setup.CommitteeTold = true
				x.Setup.LastError = ""
				x.Setup.CompletedAt = s.clock.Now().UTC()
			})
		}},
	}
	for _, st := range steps {
		if st.done(d.Setup) {
			continue
		}
		if err := st.run(); err != nil {
			msg := st.name + ": " + readable(err)
			if rerr := s.record(context.WithoutCancel(ctx), &d, func(x *mentor.Duo) {
				x.Setup.LastError, x.Setup.LastErrorAt = msg, s.clock.Now().UTC()
			}); rerr != nil {
				return d, errors.Join(fmt.Errorf("open duo %s: %s", d.ID, msg), rerr)
			}
			return d, fmt.Errorf("open duo %s: %s: %w", d.ID, st.name, err)
		}
	}
	return d, nil
}

// createChannel finds a free name (suffixes after name_taken) and records the
// channel the moment it exists. The name is recorded as intended before each try, so
// that a channel made by an attempt that died before recording it is found and
// adopted by the next attempt (its name is then "taken" by our own channel) instead
// of being left orphaned beside a "-2".
func (s *Service) createChannel(ctx context.Context, c mentor.Cycle, d *mentor.Duo, ws Workspace) error {
	menteeName := ws.Name(ctx, c.ID, d.MenteeID)
	mentorName := ws.Name(ctx, c.ID, d.MentorID)
	suffix := max(d.Setup.ChannelNameSuffix, 1)
	for try := 0; try < maxNameTries; try, suffix = try+1, suffix+1 {
		name := ChannelName(c.Name, menteeName, mentorName, d.MenteeID, d.MentorID, suffix)
		if d.Setup.IntendedName != name {
			if err := s.record(ctx, d, func(x *mentor.Duo) { x.Setup.IntendedName, x.Setup.ChannelNameSuffix = name, suffix }); err != nil {
				return err
			}
		}
		id, err := ws.CreatePrivateChannel(ctx, name)
		if errors.Is(err, ErrNameTaken) {
			// Ours from an attempt that died before recording it, or someone else's.
			id, ok, ferr := ws.FindChannel(ctx, name, d.MenteeID, d.MentorID)
			if ferr != nil {
				return ferr
			}
			if ok {
				// Not if it is another duo's (two duos of people with the same
				// names, the other still inviting its members).
				_, owner, indexed, err := s.store.DuoByChannel(ctx, id)
				if err != nil {
					return err
				}
				if !indexed || owner == d.ID {
					return s.recordChannel(ctx, d, id, name, suffix)
				}
			}
			continue
		}
		if err != nil {
			return err
		}
		return s.recordChannel(ctx, d, id, name, suffix)
	}
	return fmt.Errorf("no free channel name after %d tries", maxNameTries)
}

// recordChannel records the duo's channel and indexes it, so message events in it
// find the duo.
func (s *Service) recordChannel(ctx context.Context, d *mentor.Duo, id, name string, suffix int) error {
	if err := s.store.IndexDuoChannel(ctx, id, d.CycleID, d.ID); err != nil {
		return err
	}
	return s.record(ctx, d, func(x *mentor.Duo) {
		x.ChannelID, x.ChannelName = id, name
		x.Setup.ChannelCreated, x.Setup.ChannelNameSuffix = true, suffix
	})
}

// record applies change to the stored duo and to d.
func (s *Service) record(ctx context.Context, d *mentor.Duo, change func(*mentor.Duo)) error {
	updated, err := s.store.UpdateDuo(ctx, d.CycleID, d.ID, func(x *mentor.Duo) error { change(x); return nil })
	if err != nil {
		return err
	}
	*d = updated
	return nil
}

// Tick marks checklist item done (or not) for the duo, if userID may: the mentee's
// items by the mentee, the mentor's by the mentor, shared ones by either. It reports
// whether anything changed and returns the duo as stored after the tick, so two
// people ticking at once both see both ticks.
func (s *Service) Tick(ctx context.Context, cycleID, duoID, item, userID string, done bool) (mentor.Duo, bool, error) {
	ds, err := s.store.Duos(ctx, cycleID, []string{duoID})
	if err != nil {
		return mentor.Duo{}, false, err
	}
	if len(ds) == 0 {
		return mentor.Duo{}, false, mentor.Errorf(mentor.ENOTFOUND, "That duo no longer exists.")
	}
	d := ds[0]
	r, ok := mentor.ResponsibilityByID(item)
	switch {
	case !ok:
		return d, false, mentor.Errorf(mentor.EINVALID, "That checklist item doesn't exist.")
	case !d.Has(userID):
		return d, false, mentor.Errorf(mentor.EFORBIDDEN, "Only the duo's mentor and mentee can tick their checklist.")
	case r.Role == mentor.RoleMentee && userID != d.MenteeID:
		return d, false, mentor.Errorf(mentor.EFORBIDDEN, "That one is for the mentee to tick.")
	case r.Role == mentor.RoleMentor && userID != d.MentorID:
		return d, false, mentor.Errorf(mentor.EFORBIDDEN, "That one is for the mentor to tick.")
	}
	changed, err := s.store.TickChecklist(ctx, cycleID, duoID, item, done)
	if err != nil {
		return d, false, err
	}
	if ds, err = s.store.Duos(ctx, cycleID, []string{duoID}); err != nil || len(ds) == 0 {
		return d, changed, err
	}
	return ds[0], changed, nil
}

// readable is what the committee reads of a failed step: the person-facing message of
// a *mentor.Error (the bot maps Slack's failures to those), else the error's text.
func readable(err error) string {
	var me *mentor.Error
	if errors.As(err, &me) && me.Code != mentor.EINTERNAL {
		return me.Message
	}
	return err.Error()
}
