package pairing_test

import (
	"slices"
	"testing"

	"github.com/mentorbot/mentorbot/internal/pairing"
	"github.com/mentorbot/mentorbot/internal/redistest"
)

// The service keeps the cycle's sign-ups in memory between clicks; whatever
// changes in Redis meanwhile (here through the store, as another replica or a
// sign-up would) shows in its very next answer: a mentor who leaves, one who
// joins, a mentee's new avoid list, a mentor filled up by a duo, and someone
// forgotten.
func TestThePoolInMemoryFollowsEveryChange(t *testing.T) {
	e := newEnv(t)
	e.mustSignUp(menteeP("U0ADA", "career"), mentorP("U0GRACE", 1, "career"), mentorP("U0ALAN", 1, "career"))
	offered := func() []string { t.Helper(); return e.offered("U0ADA") }
	want := func(label string, ids ...string) {
		t.Helper()
		if got := offered(); !slices.Equal(got, ids) {
			t.Fatalf("%s: Ada is offered %v, want %v", label, got, ids)
		}
	}
	want("at first", "U0ALAN", "U0GRACE")
	e.mustWithdraw("U0ALAN")
	want("after Alan left", "U0GRACE")
	e.mustSignUp(mentorP("U0BARBARA", 1, "career"))
	want("after Barbara joined", "U0BARBARA", "U0GRACE")
	e.mustSignUp(avoiding(menteeP("U0ADA", "career"), "U0GRACE"))
	want("after Ada's new avoid list", "U0BARBARA")
	e.mustSignUp(menteeP("U0ADA", "career"), menteeP("U0EDSGER", "career"))
	want("after Ada's avoid list emptied", "U0BARBARA", "U0GRACE")
	e.mustPair("U0EDSGER", "U0GRACE")
	want("after Grace's only place was taken", "U0BARBARA")
	if _, err := e.store.Forget(e.ctx, e.cycle.ID, "U0BARBARA", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	want("after Barbara was forgotten")

	// Another service (another replica) sees the same.
	other := pairing.New(e.store, e.clock)
	if alts, err := other.Alternatives(e.ctx, e.cycle.ID, "U0ADA", 10); err != nil || len(alts) != 0 {
		t.Fatalf("another replica offers %+v, %v", alts, err)
	}
}

// When Redis loses its data (a restart without persistence) and sign-ups start
// again, the change log counts from zero: the service reads everything again
// instead of trusting what it kept.
func TestThePoolInMemoryIsDroppedWhenRedisLostItsData(t *testing.T) {
	r := redistest.New(t)
	if !r.CanStop() {
		t.Skip("needs a Redis of the test's own")
	}
	e := newEnvOn(t, r.Store())
	e.mustSignUp(menteeP("U0ADA", "career"), mentorP("U0GRACE", 1, "career"), mentorP("U0ALAN", 1, "career"))
	if alts, err := e.svc.Alternatives(e.ctx, e.cycle.ID, "U0ADA", 10); err != nil || len(alts) != 2 {
		t.Fatalf("at first Ada is offered %+v, %v", alts, err)
	}
	if err := r.Client().FlushAll(e.ctx).Err(); err != nil {
		t.Fatal(err)
	}
	// More changes than before the loss: counting alone cannot tell.
	e.mustSignUp(menteeP("U0ADA", "career"), mentorP("U0BARBARA", 1, "career"),
		menteeP("U0CY", "grants"), menteeP("U0DEE", "grants"), menteeP("U0EVE", "grants"))
	alts, err := e.svc.Alternatives(e.ctx, e.cycle.ID, "U0ADA", 10)
	if err != nil || len(alts) != 1 || alts[0].MentorID != "U0BARBARA" {
		t.Fatalf("after Redis lost its data Ada is offered %+v, %v; want Barbara only", alts, err)
	}
}

// A failover to a replica that missed the last write brings back an older state
// whose change log then counts up again through the same revisions with other
// changes: the service notices (each revision's stamp differs) and reads
// everything again instead of trusting what it kept.
func TestThePoolInMemoryIsReadAgainAfterAFailoverThatLostAWrite(t *testing.T) {
	r := redistest.New(t)
	if !r.CanStop() {
		t.Skip("needs a Redis of the test's own")
	}
	e := newEnvOn(t, r.Store())
	e.mustSignUp(menteeP("U0ADA", "career"), mentorP("U0GRACE", 1, "career"), mentorP("U0ALAN", 1, "career"))
	offered := func() []string { t.Helper(); return e.offered("U0ADA") }
	offered()
	// What the replica has: everything up to now.
	rdb := r.Client()
	keys, err := rdb.Keys(e.ctx, r.Prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	replica := map[string]string{}
	for _, k := range keys {
		replica[k] = rdb.Dump(e.ctx, k).Val()
	}
	e.mustWithdraw("U0ALAN") // the write the replica will miss
	if got := offered(); !slices.Equal(got, []string{"U0GRACE"}) {
		t.Fatalf("after Alan left Ada is offered %v", got)
	}
	// Failover: the replica's state is all there is, and writes go on from it.
	if err := rdb.FlushAll(e.ctx).Err(); err != nil {
		t.Fatal(err)
	}
	for k, v := range replica {
		if err := rdb.RestoreReplace(e.ctx, k, 0, v).Err(); err != nil {
			t.Fatal(err)
		}
	}
	e.mustSignUp(mentorP("U0BARBARA", 1, "career"))
	if got := offered(); !slices.Equal(got, []string{"U0ALAN", "U0BARBARA", "U0GRACE"}) {
		t.Fatalf("after the failover Ada is offered %v; want Alan (his leaving was lost), Barbara and Grace", got)
	}
}

// offered returns the mentors the service offers menteeID, sorted.
func (e *env) offered(menteeID string) []string {
	e.t.Helper()
	alts, err := e.svc.Alternatives(e.ctx, e.cycle.ID, menteeID, 10)
	if err != nil {
		e.t.Fatal(err)
	}
	var ids []string
	for _, a := range alts {
		ids = append(ids, a.MentorID)
	}
	slices.Sort(ids)
	return ids
}
