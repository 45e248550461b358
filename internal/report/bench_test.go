package report_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/redisstore"
	"github.com/mentorbot/mentorbot/internal/redistest"
	"github.com/mentorbot/mentorbot/internal/report"
)

// BenchmarkReport is the report of a large program: 10,000 people (4,000 mentors,
// 6,000 mentees), 3,000 duos (every other one with a first contact), and evaluations
// from 4,000 of the 6,000 people in a duo, each with about 1,200 characters of
// answers. Sub-benchmarks: reading the cycle from Redis (with and without the
// evaluations), the three CSVs, the chart, the whole upload's work (Files), and the
// funnel of the committee's Home, cached and not. roundtrips/op counts what went to
// Redis (a go-redis hook).
func BenchmarkReport(b *testing.B) {
	const (
		mentors, mentees, duos, evaluated = 4000, 6000, 3000, 4000
	)
	r := redistest.New(b)
	trips := &atomic.Int64{}
	st, err := redisstore.Open(r.URL, r.Prefix, redisstore.Options{RoundTrip: func() { trips.Add(1) }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	ctx := context.Background()
	c := mentor.DefaultCycle(t0)
	c.ID, c.Name, c.CreatedAt = "big", "2026–27", t0
	if _, err := st.CreateCycle(ctx, c); err != nil {
		b.Fatal(err)
	}
	long := strings.Repeat("We met monthly and worked through grant proposals. ", 6) // ~300 characters
	for i := range mentors + mentees {
		role, id := mentor.RoleMentee, fmt.Sprintf("ME%05d", i-mentors)
		if i < mentors {
			role, id = mentor.RoleMentor, fmt.Sprintf("MR%05d", i)
		}
		p := person(id, role, "")
		p.CycleID, p.Needs, p.Offer, p.OtherAreas = "big", long, long, "digital humanities"
		if err := st.SaveSignup(ctx, p, t0.Add(time.Duration(i)*time.Second)); err != nil {
			b.Fatal(err)
		}
	}
	var inDuo []string
	for i := range duos {
		d := mentor.Duo{ID: fmt.Sprintf("d%05d", i), CycleID: "big", MentorID: fmt.Sprintf("MR%05d", i), MenteeID: fmt.Sprintf("ME%05d", i), CreatedAt: at(i)}
		if _, _, err := st.CreateDuo(ctx, d); err != nil {
			b.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := st.RecordMessage(ctx, "big", d.ID, d.MenteeID, "ev"+d.ID, at(i+1)); err != nil {
				b.Fatal(err)
			}
		}
		inDuo = append(inDuo, d.MenteeID, d.MentorID)
	}
	for i, uid := range inDuo[:evaluated] {
		e := mentor.Evaluation{CycleID: "big", UserID: uid, Role: mentor.RoleMentee, Achieved: long, Value: long, Liked: long, Suggestions: long,
			Again: mentor.AnswerYes, Recommend: mentor.AnswerYes, Overall: 4, NeedsMet: 4, Communication: 5,
			Activities: []string{"grants"}, SubmittedAt: at(5000 + i), UpdatedAt: at(5000 + i)}
		if strings.HasPrefix(uid, "MR") {
			e.Role = mentor.RoleMentor
		}
		if _, _, err := st.SaveEvaluation(ctx, e); err != nil {
			b.Fatal(err)
		}
	}

	svc := report.New(st, st, report.Options{})
	d, err := svc.Load(ctx, c, true) // also loads the scripts into Redis
	if err != nil {
		b.Fatal(err)
	}
	if len(d.Participants) != mentors+mentees || len(d.Duos) != duos || len(d.Evaluations) != evaluated {
		b.Fatalf("seeded %d people, %d duos, %d evaluations", len(d.Participants), len(d.Duos), len(d.Evaluations))
	}
	perOp := func(b *testing.B) {
		b.ReportMetric(float64(trips.Load())/float64(b.N), "roundtrips/op")
	}
	b.Run("load", func(b *testing.B) {
		b.ReportAllocs()
		trips.Store(0)
		for b.Loop() {
			if _, err := svc.Load(ctx, c, true); err != nil {
				b.Fatal(err)
			}
		}
		perOp(b)
	})
	b.Run("load_without_evaluations", func(b *testing.B) {
		b.ReportAllocs()
		trips.Store(0)
		for b.Loop() {
			if _, err := svc.Load(ctx, c, false); err != nil {
				b.Fatal(err)
			}
		}
		perOp(b)
	})
	for _, k := range report.Kinds() {
		b.Run("csv_"+string(k), func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				out, err := report.CSV(k, d)
				if err != nil {
					b.Fatal(err)
				}
				n = len(out)
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
	b.Run("chart", func(b *testing.B) {
		b.ReportAllocs()
		f := report.FunnelOf(d)
		for b.Loop() {
			if _, err := report.Chart(f, c.Name); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("files", func(b *testing.B) { // what the upload job does before Slack
		b.ReportAllocs()
		trips.Store(0)
		for b.Loop() {
			if _, _, err := svc.Files(ctx, c, "tag"); err != nil {
				b.Fatal(err)
			}
		}
		perOp(b)
	})
	b.Run("home_funnel_cached", func(b *testing.B) {
		b.ReportAllocs()
		if _, err := svc.Funnel(ctx, c); err != nil { // fill the cache
			b.Fatal(err)
		}
		trips.Store(0)
		for b.Loop() {
			if _, err := svc.Funnel(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
		perOp(b)
	})
	b.Run("home_funnel_uncached", func(b *testing.B) {
		b.ReportAllocs()
		uncached := report.New(st, nil, report.Options{})
		trips.Store(0)
		for b.Loop() {
			if _, err := uncached.Funnel(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
		perOp(b)
	})
}
