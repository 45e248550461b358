package evaluation_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/evaluation"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

// BenchmarkFormWithoutADuo is the dearest refusal: someone signed up but never in a
// duo opens the form in a cycle of 3,000 duos, so every duo is read to find out
// whether a dissolved one was theirs. (A participant with a duo costs 3–5 round
// trips whatever the cycle's size: TestRoundTrips.)
func BenchmarkFormWithoutADuo(b *testing.B) {
	const duos = 3000
	r := redistest.New(b)
	trips := &atomic.Int64{}
	st, err := redisstore.Open(r.URL, r.Prefix, redisstore.Options{RoundTrip: func() { trips.Add(1) }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	ctx := context.Background()
	c := mentor.DefaultCycle(t0)
	c.ID = "c1"
	person := func(uid string, role mentor.Role) mentor.Participant {
		p := mentor.Participant{UserID: uid, CycleID: "c1", Role: role, Stage: mentor.StageStudent, Areas: []string{"career"},
			Needs: "help with my first job search", Methods: []string{"email"}, Frequency: "monthly", HoursPerMonth: 2}
		if role == mentor.RoleMentor {
			p.Stage, p.Needs, p.Offer, p.Capacity = mentor.StageSenior, "", "twenty years of academic libraries", 3
		}
		return p
	}
	if err := st.SaveSignup(ctx, person("PE", mentor.RoleMentee), t0); err != nil {
		b.Fatal(err)
	}
	for i := range duos {
		mentee, mentr := fmt.Sprintf("ME%05d", i), fmt.Sprintf("MR%05d", i/3)
		if i%3 == 0 {
			if err := st.SaveSignup(ctx, person(mentr, mentor.RoleMentor), t0); err != nil {
				b.Fatal(err)
			}
		}
		if err := st.SaveSignup(ctx, person(mentee, mentor.RoleMentee), t0); err != nil {
			b.Fatal(err)
		}
		if _, _, err := st.CreateDuo(ctx, mentor.Duo{ID: fmt.Sprintf("d%05d", i), CycleID: "c1", MenteeID: mentee, MentorID: mentr, CreatedAt: t0}); err != nil {
			b.Fatal(err)
		}
	}
	svc := evaluation.New(st, st, nil, clock.NewSettable(t0))
	trips.Store(0)
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.Form(ctx, c, "PE"); mentor.ErrorCode(err) != mentor.EFORBIDDEN {
			b.Fatalf("form of a person never in a duo: %v", err)
		}
	}
	b.ReportMetric(float64(trips.Load())/float64(b.N), "roundtrips/op")
}
