package pairing_test

import (
	"context"
	"slices"
	"testing"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/pairing"
	"github.com/mentorbot/mentorbot/internal/redisstore"
)

// readsCounted is the store, recording which duos were read.
type readsCounted struct {
	*redisstore.Store
	read []string
}

func (r *readsCounted) Duos(ctx context.Context, cycleID string, ids []string) ([]mentor.Duo, error) {
	r.read = append(r.read, ids...)
	return r.Store.Duos(ctx, cycleID, ids)
}

// The pairing modal asks on every click which approved duos are open: a duo is
// read until its channel is open, then never again (opening does not undo itself).
func TestApprovedDuosAreReadUntilTheirChannelIsOpen(t *testing.T) {
	e := newEnv(t)
	e.mustSignUp(menteeP("U0ADA", "career"), menteeP("U0BEN", "career"), mentorP("U0GRACE", 2, "career"))
	a, b := e.mustPair("U0ADA", "U0GRACE"), e.mustPair("U0BEN", "U0GRACE")
	open := func(id string) {
		t.Helper()
		if _, err := e.store.UpdateDuo(e.ctx, e.cycle.ID, id, func(d *mentor.Duo) error {
			d.Setup = mentor.DuoSetup{ChannelCreated: true, Invited: true, WelcomePosted: true, MentorTold: true, MenteeTold: true, CommitteeTold: true}
			d.ChannelID = "C0" + id
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	counted := &readsCounted{Store: e.store}
	svc := pairing.New(counted, e.clock)
	ids := []string{a.ID, b.ID}
	ask := func() map[string]mentor.Duo {
		t.Helper()
		counted.read = nil
		got, err := svc.ApprovedDuos(e.ctx, e.cycle.ID, ids)
		if err != nil || len(got) != 2 {
			t.Fatalf("approved duos %v, %v", got, err)
		}
		return got
	}
	open(a.ID)
	if got := ask(); !got[a.ID].Setup.Done() || got[b.ID].Setup.Done() {
		t.Fatalf("first: %s open %v, %s open %v", a.ID, got[a.ID].Setup.Done(), b.ID, got[b.ID].Setup.Done())
	}
	if got := ask(); !slices.Equal(counted.read, []string{b.ID}) || got[a.ID].ChannelID != "C0"+a.ID {
		t.Fatalf("second: read %v, want only %s, the one still being set up", counted.read, b.ID)
	}
	open(b.ID)
	if got := ask(); !got[b.ID].Setup.Done() {
		t.Fatalf("%s opened meanwhile, and is still shown as being set up", b.ID)
	}
	if ask(); len(counted.read) != 0 {
		t.Fatalf("with both open, still read %v", counted.read)
	}
}
