package redisstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
)

func TestChannelIndex(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if _, _, ok, err := s.DuoByChannel(ctx, "C1"); ok || err != nil {
		t.Fatalf("unknown channel: ok %v, %v", ok, err)
	}
	for i := 0; i < 2; i++ { // idempotent
		if err := s.IndexDuoChannel(ctx, "C1", "cyc-1", "duo-1"); err != nil {
			t.Fatal(err)
		}
	}
	if c, d, ok, err := s.DuoByChannel(ctx, "C1"); c != "cyc-1" || d != "duo-1" || !ok || err != nil {
		t.Fatalf("DuoByChannel = %q %q %v %v", c, d, ok, err)
	}
	if err := s.IndexDuoChannel(ctx, "C2", "a|b", "duo-2"); err == nil {
		t.Fatal("a cycle id with | was indexed")
	}
}

// A duo's message events, in the order Slack might deliver them.
func TestRecordMessage(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	pair(t, s)
	// The mentor ticked the welcome by button before writing.
	if _, err := s.TickChecklist(ctx, "c", "D", "mentor.welcome", true); err != nil {
		t.Fatal(err)
	}
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	for _, step := range []struct {
		name       string
		user, ev   string
		at         time.Time
		want       redisstore.MessageOutcome
		wantDuoAct mentor.DuoActivity
	}{
		{"mentee's first", "ME", "E1", at(60), redisstore.MessageOutcome{First: true, Ticked: true, Item: "mentee.contact"},
			mentor.DuoActivity{MenteeFirst: at(60), MenteeLast: at(60)}},
		{"redelivered", "ME", "E1", at(60), redisstore.MessageOutcome{Duplicate: true},
			mentor.DuoActivity{MenteeFirst: at(60), MenteeLast: at(60)}},
		{"mentee again", "ME", "E2", at(180), redisstore.MessageOutcome{},
			mentor.DuoActivity{MenteeFirst: at(60), MenteeLast: at(180)}},
		{"older message late", "ME", "E3", at(120), redisstore.MessageOutcome{},
			mentor.DuoActivity{MenteeFirst: at(60), MenteeLast: at(180)}},
		{"earlier than the first, late", "ME", "E4", at(30), redisstore.MessageOutcome{},
			mentor.DuoActivity{MenteeFirst: at(30), MenteeLast: at(180)}},
		{"not a member", "UX", "E5", at(200), redisstore.MessageOutcome{NotMember: true},
			mentor.DuoActivity{MenteeFirst: at(30), MenteeLast: at(180)}},
		{"mentor's first, item ticked already", "MR", "E6", at(240), redisstore.MessageOutcome{First: true},
			mentor.DuoActivity{MenteeFirst: at(30), MenteeLast: at(180), MentorFirst: at(240), MentorLast: at(240)}},
		{"mentor's second", "MR", "E7", at(300), redisstore.MessageOutcome{},
			mentor.DuoActivity{MenteeFirst: at(30), MenteeLast: at(180), MentorFirst: at(240), MentorLast: at(300)}},
	} {
		got, err := s.RecordMessage(ctx, "c", "D", step.user, step.ev, step.at)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got != step.want {
			t.Errorf("%s: outcome %+v, want %+v", step.name, got, step.want)
		}
		if d := mustGetDuo(t, s, "c", "D"); d.Activity != step.wantDuoAct {
			t.Errorf("%s: activity %+v, want %+v", step.name, d.Activity, step.wantDuoAct)
		}
	}
	d := mustGetDuo(t, s, "c", "D")
	if want := map[string]bool{"mentee.contact": true, "mentor.welcome": true}; !reflect.DeepEqual(d.Checklist, want) {
		t.Errorf("checklist = %v, want %v", d.Checklist, want)
	}

	// A mentee who unticks contact and writes again is not ticked again: only the
	// first message ticks.
	if _, err := s.TickChecklist(ctx, "c", "D", "mentee.contact", false); err != nil {
		t.Fatal(err)
	}
	if got, err := s.RecordMessage(ctx, "c", "D", "ME", "E8", at(400)); err != nil || got != (redisstore.MessageOutcome{}) {
		t.Fatalf("after untick: %+v, %v", got, err)
	}
	if d := mustGetDuo(t, s, "c", "D"); d.Checklist["mentee.contact"] {
		t.Error("a later message ticked mentee.contact again")
	}

	// Ended duos count nothing.
	if _, err := s.DissolveDuo(ctx, "c", "D", "UK", at(500), nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.RecordMessage(ctx, "c", "D", "ME", "E9", at(600)); err != nil || got != (redisstore.MessageOutcome{Ended: true}) {
		t.Fatalf("ended duo: %+v, %v", got, err)
	}
	if d := mustGetDuo(t, s, "c", "D"); !d.Activity.MenteeLast.Equal(at(400)) {
		t.Errorf("ended duo's activity moved: %+v", d.Activity)
	}

	if _, err := s.RecordMessage(ctx, "c", "nope", "ME", "E10", at(600)); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Fatalf("missing duo: %v", err)
	}
}

// Redelivered at once by several connections: one effect.
func TestRecordMessageConcurrentRedelivery(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	pair(t, s)
	outs := make(chan redisstore.MessageOutcome, 8)
	for i := 0; i < cap(outs); i++ {
		go func() {
			o, err := s.RecordMessage(ctx, "c", "D", "ME", "Ev", t0)
			if err != nil {
				t.Error(err)
			}
			outs <- o
		}()
	}
	firsts, dups := 0, 0
	for i := 0; i < cap(outs); i++ {
		o := <-outs
		if o.First && o.Ticked {
			firsts++
		}
		if o.Duplicate {
			dups++
		}
	}
	if firsts != 1 || dups != cap(outs)-1 {
		t.Fatalf("firsts %d, duplicates %d", firsts, dups)
	}
}
