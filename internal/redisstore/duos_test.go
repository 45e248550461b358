package redisstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// The fields kept beside the JSON survive UpdateDuo, and UpdateDuo returns what Duos
// reads: one decoding, ticked checklist items only.
func TestUpdateDuoKeepsHashFieldsAndDecodesLikeDuos(t *testing.T) {
	s, r := newStore(t)
	ctx := context.Background()
	d := pair(t, s)
	if d.Checklist == nil || len(d.Checklist) != 0 {
		t.Fatalf("created duo checklist = %#v, want empty map", d.Checklist)
	}
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	for i, m := range []struct {
		uid string
		h   int
	}{{"ME", 1}, {"MR", 2}, {"ME", 3}} {
		if _, err := s.RecordMessage(ctx, "c", "D", m.uid, fmt.Sprintf("Ev%d", i), at(m.h)); err != nil {
			t.Fatal(err)
		}
	}
	a := mentor.Agreement{CycleID: "c", DuoID: "D", Frequency: "weekly", Goal: "A first job in an academic library", CreatedAt: at(4)}
	if _, _, err := s.SaveAgreement(ctx, a, "S1"); err != nil {
		t.Fatal(err)
	}
	for _, uid := range []string{"MR", "ME"} {
		if _, err := s.SignAgreement(ctx, "c", "D", 1, uid, at(5)); err != nil {
			t.Fatal(err)
		}
	}
	// A ticked-then-unticked item must not come back as a false entry.
	if _, err := s.TickChecklist(ctx, "c", "D", "both.frequency", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TickChecklist(ctx, "c", "D", "both.frequency", false); err != nil {
		t.Fatal(err)
	}

	updated, err := s.UpdateDuo(ctx, "c", "D", func(x *mentor.Duo) error {
		if x.Activity.MenteeLast.IsZero() || x.Agreement.Version != 1 {
			return fmt.Errorf("change saw %+v %+v, want the whole duo", x.Activity, x.Agreement)
		}
		x.ChannelID, x.Setup.ChannelCreated = "C1", true
		// Fields with their own writers: ignored here.
		x.Activity, x.Agreement, x.EndedBy = mentor.DuoActivity{}, mentor.AgreementStatus{}, "UX"
		x.Checklist = map[string]bool{"mentor.goal": true}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := mustGetDuo(t, s, "c", "D")
	if !reflect.DeepEqual(updated, got) {
		t.Fatalf("UpdateDuo returned\n%+v\nDuos reads\n%+v", updated, got)
	}
	want := mentor.DuoActivity{MenteeFirst: at(1), MentorFirst: at(2), MentorLast: at(2), MenteeLast: at(3)}
	if got.ChannelID != "C1" || !got.Setup.ChannelCreated {
		t.Errorf("update lost: %+v", got)
	}
	if got.Activity != want {
		t.Errorf("activity = %+v, want %+v", got.Activity, want)
	}
	wantAg := mentor.AgreementStatus{Version: 1, DraftedAt: at(4), UpdatedAt: at(4), SignedAt: at(5), Frequency: "weekly"}
	if got.Agreement != wantAg {
		t.Errorf("agreement = %+v, want %+v", got.Agreement, wantAg)
	}
	if got.Ended() || got.EndedBy != "" {
		t.Errorf("ended = %v by %q", got.EndedAt, got.EndedBy)
	}
	wantCL := map[string]bool{"mentee.contact": true, "mentor.welcome": true}
	if !reflect.DeepEqual(got.Checklist, wantCL) {
		t.Errorf("checklist = %#v, want %#v", got.Checklist, wantCL)
	}

	// The data JSON holds none of the fields that live beside it.
	raw, err := r.Client().HGet(ctx, r.Prefix+"{c:c}:duo:D", "data").Result()
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &fields); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"Checklist", "Activity", "Agreement", "EndedAt", "EndedBy"} {
		if _, ok := fields[f]; ok {
			t.Errorf("data JSON holds %s: %s", f, raw)
		}
	}
	if _, err := s.UpdateDuo(ctx, "c", "nope", func(*mentor.Duo) error { return nil }); mentor.ErrorCode(err) != mentor.ENOTFOUND {
		t.Fatalf("update missing duo: %v", err)
	}
}

// Concurrent UpdateDuo calls and message events on one duo lose nothing, and
// message events never make an update fail.
func TestUpdateDuoRacesWithMessages(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	pair(t, s)
	done := make(chan error, 3)
	for g := 0; g < 2; g++ {
		go func() {
			for i := 0; i < 20; i++ {
				if _, err := s.UpdateDuo(ctx, "c", "D", func(x *mentor.Duo) error { x.Score++; return nil }); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	go func() {
		for i := 0; i < 20; i++ {
			if _, err := s.RecordMessage(ctx, "c", "D", "ME", fmt.Sprintf("E%d", i), t0.Add(time.Duration(i+1)*time.Minute)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < 3; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	d := mustGetDuo(t, s, "c", "D")
	if d.Score != 7+40 || !d.Activity.MenteeLast.Equal(t0.Add(20*time.Minute)) || !d.Activity.MenteeFirst.Equal(t0.Add(time.Minute)) {
		t.Fatalf("score %d, activity %+v", d.Score, d.Activity)
	}
}

func TestDuoPageByCreationTime(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	mustSignup(t, s, mentorP("c", "MR1", 3))
	mustSignup(t, s, mentorP("c", "MR2", 3))
	var ids []string
	for i := 0; i < 5; i++ {
		me, id := fmt.Sprintf("ME%d", i), fmt.Sprintf("D%d", i)
		mustSignup(t, s, mentee("c", me))
		// created in reverse id order, so the page order is the creation time's
		mustDuo(t, s, "c", id, fmt.Sprintf("MR%d", 1+i%2), me, 10-i)
		ids = append([]string{id}, ids...)
	}
	for _, tc := range []struct {
		offset, limit int
		want          []string
	}{
		{0, 2, ids[:2]},
		{1, 2, ids[1:3]},
		{4, 10, ids[4:]},
		{5, 10, nil},
		{-3, 1, ids[:1]},
		{0, 0, nil},
	} {
		ds, total, err := s.DuoPage(ctx, "c", tc.offset, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range ds {
			got = append(got, d.ID)
		}
		if total != 5 || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("DuoPage(%d, %d) = %v of %d, want %v of 5", tc.offset, tc.limit, got, total, tc.want)
		}
	}
}

// Proposals live for days and people edit pending sign-ups meanwhile: a pair where
// either has since put the other on their avoid list is refused at approval, with a
// message saying so, and nobody is matched.
func TestApprovalRefusedWhenEitherNowAvoidsTheOther(t *testing.T) {
	for _, who := range []string{"mentee", "mentor"} {
		t.Run(who, func(t *testing.T) {
			s, _ := newStore(t)
			ctx := context.Background()
			me, mr := mentee("c", "ME"), mentorP("c", "MR", 1)
			if who == "mentee" {
				me.Avoid = []string{"MR"}
			} else {
				mr.Avoid = []string{"ME"}
			}
			mustSignup(t, s, mr)
			mustSignup(t, s, me)
			_, created, err := s.CreateDuo(ctx, mentor.Duo{ID: "D", CycleID: "c", MentorID: "MR", MenteeID: "ME", CreatedAt: t0})
			wantCode(t, "approve an avoided pair", err, mentor.ECONFLICT)
			if created || !strings.Contains(mentor.ErrorMessage(err), "asked never to be paired") {
				t.Fatalf("approval = %v, %q", created, mentor.ErrorMessage(err))
			}
			for _, uid := range []string{"ME", "MR"} {
				if p, _ := s.Participant(ctx, "c", uid); p.Status != mentor.StatusPending || len(p.Duos) != 0 {
					t.Fatalf("%s after a refused approval: %s, duos %v", uid, p.Status, p.Duos)
				}
			}
		})
	}
}
