package pairing

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mentorbot/mentorbot/internal/matching"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Every choice in the pairing modal re-optimises the round's open proposals. From
// scratch that is a scoring of every pair and a full assignment: about a second at
// 10,000 sign-ups. A service keeps the round's optimiser instead (its scored matrix
// and a matching.Session with the optimum's dual values) and applies each choice
// as a pin, which costs milliseconds. It is used only while it provably describes
// the same problem: the same settings, nobody's profile changed, no mentor gained
// a place or joined, and every mentee of the matrix is accounted for by the round
// (open, pinned, skipped with a mentor, or approved with a mentor of the matrix).
// Anything else, or another replica's first click, solves from scratch and keeps
// that.

// maxSolvedCells bounds the memory of the optimisers kept, 8 bytes a pair (the
// matrix and the Session's column-major copy): about 200 MB. A cycle of 10,000
// sign-ups (6,667 × 3,333 pairs, 180 MB) fills it alone.
const maxSolvedCells = 24 << 20

// solvedRound is one round's optimiser, built on sign-ups su.
type solvedRound struct {
	mu          sync.Mutex
	roundID     string
	su          *signups
	settingsRev int
	x           *matching.Matrix
	ss          *matching.Session
	// points maximises points alone: a pair of ss whose mentee it leaves
	// unmatched is kept only to match one more mentee (Pair.ForCount).
	points   *matching.Session
	at       map[string]int // each mentee's input index in x
	mentorAt map[string]int // each mentor's input index in x
	capacity map[string]int // each mentor's places in x (free places at the build)
	broken   bool           // a failed pin left the sessions unusable
}

// solvedCache keeps the optimisers of the rounds used last, within maxSolvedCells.
type solvedCache struct {
	mu     sync.Mutex
	rounds []*solvedRound // least recently used first
}

func (c *solvedCache) get(roundID string) *solvedRound {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, sr := range c.rounds {
		if sr.roundID == roundID {
			c.rounds = append(slices.Delete(c.rounds, i, i+1), sr)
			return sr
		}
	}
	return nil
}

// makeRoom forgets the optimiser of round roundID, and the least recently used
// others until one of cells more fits within maxSolvedCells: at 10,000 sign-ups an
// optimiser is 180 MB, and the old one must go before the new one is built.
func (c *solvedCache) makeRoom(roundID string, cells int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rounds = slices.DeleteFunc(c.rounds, func(o *solvedRound) bool { return o.roundID == roundID })
	kept := 0
	for _, o := range c.rounds {
		kept += o.cells()
	}
	for len(c.rounds) > 0 && kept+cells > maxSolvedCells {
		kept -= c.rounds[0].cells()
		c.rounds = c.rounds[1:]
	}
}

// put keeps sr, the newest optimiser; makeRoom made room for it.
func (c *solvedCache) put(sr *solvedRound) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rounds = append(c.rounds, sr)
}

func (sr *solvedRound) cells() int { return len(sr.at) * len(sr.capacity) }

// resolve re-optimises round r's open mentees around pins with the kept
// optimiser, if it still describes this problem (see above); ok is false when the
// caller must solve from scratch.
func (sr *solvedRound) resolve(p *pool, r *mentor.PairingRound, open []mentor.Participant, pins []matching.Pin) (pl plan, ok bool) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if sr.broken || sr.settingsRev != p.settingsRev || p.su.rev < sr.su.rev {
		return plan{}, false // (a pool older than the optimiser: a concurrent click read first)
	}
	changed, ok := p.su.changedSince(sr.su.root, sr.su.rev)
	if !ok {
		return plan{}, false
	}
	// Approved pairs of the matrix's people are pins too: their mentee left the
	// pool and their mentor has a place less.
	approvedOf, approvedWith := map[string]string{}, map[string]int{}
	for _, pr := range r.Proposals {
		_, inX := sr.at[pr.MenteeID]
		if _, mentorInX := sr.capacity[pr.MentorID]; pr.State == mentor.ProposalApproved && inX && mentorInX {
			approvedOf[pr.MenteeID] = pr.MentorID
			approvedWith[pr.MentorID]++
		}
	}
	for id := range changed {
		was, now := sr.su.byID[id], p.byID[id]
		_, isMentee := sr.at[id]
		places, isMentor := sr.capacity[id]
		switch {
		case isMentor:
			if !sameProfile(was, now) || now.FreeSlots() != places-approvedWith[id] {
				return plan{}, false
			}
		case isMentee:
			if !sameProfile(was, now) {
				return plan{}, false
			}
		case now.Role == mentor.RoleMentor && now.Matchable():
			return plan{}, false // a mentor new to the pool
		}
	}
	want := make(map[string]string, len(sr.at)) // mentee → mentor to pin, "" for open
	for _, e := range open {
		want[e.UserID] = ""
	}
	for _, pin := range pins {
		if _, ok := sr.capacity[pin.MentorID]; !ok {
			return plan{}, false
		}
		want[pin.MenteeID] = pin.MentorID
	}
	for e, m := range approvedOf {
		if _, twice := want[e]; twice {
			return plan{}, false
		}
		want[e] = m
	}
	if len(want) != len(sr.at) {
		return plan{}, false
	}
	var add []matching.Pin
	for e, m := range want {
		if _, ok := sr.at[e]; !ok {
			return plan{}, false
		}
		to, pinned := sr.ss.PinnedTo(e)
		switch {
		case pinned && to != m:
			return plan{}, false // a pin taken back: the session cannot unpin
		case !pinned && m != "":
			add = append(add, matching.Pin{MenteeID: e, MentorID: m})
		}
	}
	slices.SortFunc(add, func(a, b matching.Pin) int { return strings.Compare(a.MenteeID, b.MenteeID) })
	// The two sessions are independent: repair them side by side.
	pinAll := func(ss *matching.Session) error {
		for _, pin := range add {
			if err := ss.Add(pin.MenteeID, pin.MentorID); err != nil {
				return err
			}
		}
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- pinAll(sr.points) }()
	err := pinAll(sr.ss)
	if err := errors.Join(err, <-done); err != nil {
		sr.broken = true
		return plan{}, false
	}
	return sr.plan(open, r), true
}

// plan reads the optimiser's result for the open mentees, marking the pairs kept
// only to match one more mentee as Options.MarkForCount does. Only the pairs that
// round r does not show already are explained (the reasons of thousands of pairs
// cost more than the repair): a pair r shows with the same mentor and points
// keeps its reasons (plan.kept). A nil r explains every pair.
func (sr *solvedRound) plan(open []mentor.Participant, r *mentor.PairingRound) plan {
	shown := map[string]mentor.Proposal{}
	if r != nil {
		for _, pr := range r.Proposals {
			if pr.MentorID != "" && pr.Reasons != "" {
				shown[pr.MenteeID] = pr
			}
		}
	}
	mentorOf, alone := sr.ss.MentorOf(), sr.points.MentorOf()
	out := plan{pairs: make(map[string]matching.Pair, len(open)), why: map[string]string{}, kept: map[string]bool{}}
	for _, e := range open {
		i := sr.at[e.UserID]
		m, ok := mentorOf[e.UserID]
		if !ok {
			out.why[e.UserID] = whyNone(sr.x, i)
			continue
		}
		_, matched := alone[e.UserID]
		pair := matching.Pair{MenteeID: e.UserID, MentorID: m, ForCount: !matched}
		if points, _ := sr.x.Points(i, sr.mentorAt[m]); shown[e.UserID].MentorID == m && shown[e.UserID].Score == points {
			pair.Score.Points = points
			out.kept[e.UserID] = true
		} else {
			pair.Score = sr.x.Score(i, sr.mentorAt[m])
		}
		out.pairs[e.UserID] = pair
	}
	return out
}

// whyNone says why mentee i of x has no mentor in the optimum.
func whyNone(x *matching.Matrix, i int) string {
	if n := x.Allowed(i); n > 0 {
		return whyTaken(n)
	}
	return x.WhyNoMentor(i)
}

// sameProfile reports whether a and b are the same sign-up but for what pairing
// changes (status, duos) and when it was saved.
func sameProfile(a, b mentor.Participant) bool {
	for _, p := range []*mentor.Participant{&a, &b} {
		p.Status, p.Duos, p.UpdatedAt, p.WithdrawnAt, p.CreatedAt = "", nil, time.Time{}, time.Time{}, time.Time{}
	}
	return reflect.DeepEqual(a, b)
}
