// Package pairing is the use case of making duos: proposing an optimal set of
// mentor–mentee pairs to the committee, approving a pair exactly once, and opening
// the duo in the workspace step by step so that a failure half-way can be resumed.
package pairing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/matching"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Store is what the service needs from storage.
type Store interface {
	Participants(ctx context.Context, cycleID string) ([]mentor.Participant, error)
	SignupsInOrder(ctx context.Context, cycleID string, ids []string) ([]mentor.Participant, map[string]float64, error)
	PoolChanges(ctx context.Context, cycleID string, since int64) (mentor.PoolChange, error)
	Duos(ctx context.Context, cycleID string, ids []string) ([]mentor.Duo, error)
	DuoIDs(ctx context.Context, cycleID string) ([]string, error)
	CreateDuo(ctx context.Context, d mentor.Duo) (mentor.Duo, bool, error)
	UpdateDuo(ctx context.Context, cycleID, duoID string, change func(*mentor.Duo) error) (mentor.Duo, error)
	TickChecklist(ctx context.Context, cycleID, duoID, item string, done bool) (bool, error)
	SaveRound(ctx context.Context, r mentor.PairingRound) error
	Round(ctx context.Context, cycleID, id string) (mentor.PairingRound, error)
	UpdateRound(ctx context.Context, cycleID, id string, change func(*mentor.PairingRound) error) (mentor.PairingRound, error)
	Lock(ctx context.Context, name string, ttl time.Duration) (release func(), ok bool, err error)
	IndexDuoChannel(ctx context.Context, channelID, cycleID, duoID string) error
	DuoByChannel(ctx context.Context, channelID string) (cycleID, duoID string, ok bool, err error)
	Cycle(ctx context.Context, id string) (mentor.Cycle, int, error)
	Participant(ctx context.Context, cycleID, userID string) (mentor.Participant, error)
	MatchSettings(ctx context.Context, cycleID string) (matching.Settings, int, error)
	SaveMatchSettings(ctx context.Context, cycleID string, s matching.Settings, expectRev int) (int, error)
}

// Service runs the pairing use case.
type Service struct {
	store   Store
	clock   clock.Clock
	weights matching.Weights
	cache   signupCache
	solved  solvedCache
	opened  openedDuos
	// building serialises solves from scratch (see solve).
	building sync.Mutex
}

// New returns the service, scoring with the program's default weights.
func New(store Store, c clock.Clock) *Service {
	return &Service{store: store, clock: c, weights: matching.DefaultWeights()}
}

// Duos returns the duos with the given ids.
func (s *Service) Duos(ctx context.Context, cycleID string, ids []string) ([]mentor.Duo, error) {
	return s.store.Duos(ctx, cycleID, ids)
}

// pool is the people a round can pair: pending mentees and mentors with a free
// place, the cycle's matching settings, and last cycle's duos.
type pool struct {
	su   *signups
	byID map[string]mentor.Participant
	pairable
	settings matching.Settings
	// settingsRev is the revision of settings (0: the defaults).
	settingsRev int
	now         time.Time
}

// pairable is who can be paired, as one read of the sign-ups says (it is worked
// out once per read, see signups.pairable, and shared by the pools made from it:
// read only).
type pairable struct {
	mentees []mentor.Participant // by sign-up time
	mentors []mentor.Participant
	// previous maps a person to last cycle's partners they may not be proposed
	// again; continuing maps a mentee to the mentor both asked to continue with.
	previous   map[string][]string
	continuing map[string]string
}

// freePlaces maps each mentor of the pool to their free places.
func (p *pool) freePlaces() map[string]int {
	out := make(map[string]int, len(p.mentors))
	for _, m := range p.mentors {
		out[m.UserID] = m.FreeSlots()
	}
	return out
}

func (s *Service) pool(ctx context.Context, cycleID string) (pool, error) {
	su, err := s.signups(ctx, cycleID)
	if err != nil {
		return pool{}, err
	}
	settings, settingsRev, err := s.store.MatchSettings(ctx, cycleID)
	if err != nil {
		return pool{}, err
	}
	return pool{su: su, byID: su.byID, pairable: su.pairable(), settings: settings, settingsRev: settingsRev, now: s.clock.Now()}, nil
}

// pairableIn works out who of all (in sign-up order) can be paired: pending
// mentees and mentors with a free place; and, from last cycle's duos, who may not
// be proposed again and who continues (a pair who both asked, each listing the
// other in ContinueWith).
func pairableIn(all []mentor.Participant, byID map[string]mentor.Participant, lastDuos []mentor.Duo) pairable {
	var p pairable
	for _, x := range all {
		switch {
		case !x.Matchable():
		case x.Role == mentor.RoleMentee:
			p.mentees = append(p.mentees, x)
		case x.Role == mentor.RoleMentor:
			p.mentors = append(p.mentors, x)
		}
	}
	if len(lastDuos) == 0 {
		return p
	}
	p.previous, p.continuing = map[string][]string{}, map[string]string{}
	for _, d := range lastDuos {
		e, r := byID[d.MenteeID], byID[d.MentorID]
		if e.Role == mentor.RoleMentee && r.Role == mentor.RoleMentor &&
			slices.Contains(e.ContinueWith, r.UserID) && slices.Contains(r.ContinueWith, e.UserID) {
			p.continuing[e.UserID] = r.UserID
			continue
		}
		p.previous[d.MenteeID] = append(p.previous[d.MenteeID], d.MentorID)
		p.previous[d.MentorID] = append(p.previous[d.MentorID], d.MenteeID)
	}
	return p
}

// LastPartners returns the people userID was in a duo with in the cycle before c
// (c.Previous), whom the join form offers to continue with; none for a first
// cycle or someone new.
func (s *Service) LastPartners(ctx context.Context, c mentor.Cycle, userID string) ([]string, error) {
	if c.Previous == "" {
		return nil, nil
	}
	p, err := s.store.Participant(ctx, c.Previous, userID)
	if mentor.ErrorCode(err) == mentor.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.PartnersOf(ctx, c.Previous, p)
}

// PartnersOf returns, sorted, the people p was in a duo with in cycle cycleID, p
// being p's sign-up of that cycle as already read: only p's duos are read.
func (s *Service) PartnersOf(ctx context.Context, cycleID string, p mentor.Participant) ([]string, error) {
	if len(p.Duos) == 0 {
		return nil, nil
	}
	duos, err := s.store.Duos(ctx, cycleID, p.Duos)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range duos {
		if d.Has(p.UserID) && !slices.Contains(out, d.Partner(p.UserID)) {
			out = append(out, d.Partner(p.UserID))
		}
	}
	slices.Sort(out)
	return out, nil
}

// person is participant id as the scorer sees them in this pool.
func (p *pool) person(x mentor.Participant, zones zoneCache) matching.Person {
	out := personIn(x, p.now, zones)
	out.Previous = p.previous[x.UserID]
	if x.Role == mentor.RoleMentee {
		out.Request = x.RequestMentor
	}
	return out
}

func (p *pool) people(xs []mentor.Participant) []matching.Person {
	out := make([]matching.Person, len(xs))
	zones := zoneCache{}
	for i, x := range xs {
		out[i] = p.person(x, zones)
	}
	return out
}

// Settings returns the cycle's matching settings and their revision (0: the
// defaults, never changed).
func (s *Service) Settings(ctx context.Context, cycleID string) (matching.Settings, int, error) {
	return s.store.MatchSettings(ctx, cycleID)
}

// SaveSettings replaces the cycle's matching settings if they are still at
// revision rev (mentor.ECONFLICT otherwise). The next proposals use them.
func (s *Service) SaveSettings(ctx context.Context, cycleID string, set matching.Settings, rev int) error {
	if err := set.Validate(); err != nil {
		return mentor.Errorf(mentor.EINVALID, "These settings can't be used: %v.", err)
	}
	_, err := s.store.SaveMatchSettings(ctx, cycleID, set, rev)
	return err
}

// Steering describes settings that differ from the defaults, in words, or "".
func Steering(set matching.Settings) string { return set.Describe() }

// Warnings on a proposal, for a deliberate decision.
const (
	WarnNegative = "negative score: a poor fit"
	WarnForCount = "kept only to match one more mentee: the best total alone would leave this mentee unmatched"
)

// plan is what the optimiser proposes for the mentees it was given.
type plan struct {
	pairs map[string]matching.Pair // by mentee
	why   map[string]string        // unmatched mentees: why
	// kept are mentees whose pair the round shows already: its Score has the
	// points only, and the round's reasons stand.
	kept map[string]bool
}

// solve optimises the given mentees of round r around pins (their mentors' places
// are reserved) under the pool's settings: with the round's kept optimiser when it
// still fits (see solved.go), else from scratch, keeping the new optimiser for the
// round's next choice.
func (s *Service) solve(p *pool, r *mentor.PairingRound, mentees []mentor.Participant, pins []matching.Pin) (plan, error) {
	if sr := s.solved.get(r.ID); sr != nil {
		if pl, ok := sr.resolve(p, r, mentees, pins); ok {
			return pl, nil
		}
	}
	// One solve from scratch at a time (at 10,000 sign-ups each is 180 MB): a
	// double click waits for the first, then uses what it built.
	s.building.Lock()
	defer s.building.Unlock()
	if sr := s.solved.get(r.ID); sr != nil {
		if pl, ok := sr.resolve(p, r, mentees, pins); ok {
			return pl, nil
		}
	}
	s.solved.makeRoom(r.ID, (len(mentees)+len(pins))*len(p.mentors))
	es := p.people(mentees)
	for _, pin := range pins { // pinned mentees take part only as pins
		es = append(es, p.person(p.byID[pin.MenteeID], zoneCache{}))
	}
	x := matching.NewMatrixWith(es, p.people(p.mentors), s.weights, p.settings)
	sr := &solvedRound{roundID: r.ID, su: p.su, settingsRev: p.settingsRev, x: x,
		at: make(map[string]int, len(es)), mentorAt: make(map[string]int, len(p.mentors))}
	for i, e := range es {
		sr.at[e.ID] = i
	}
	sr.capacity = p.freePlaces()
	for j, m := range p.mentors {
		sr.mentorAt[m.UserID] = j
	}
	// The two assignments SolveWith with MarkForCount makes, kept as sessions
	// whose dual values the round's next choice starts from.
	var err error
	if sr.ss, err = x.NewSessionWith(pins); err != nil {
		return plan{}, err
	}
	if sr.points, err = x.NewPointsSession(pins, sr.ss); err != nil {
		return plan{}, err
	}
	pl := sr.plan(mentees, nil) // before others can pin into it; every pair explained
	s.solved.put(sr)
	return pl, nil
}

// whyTaken says why a mentee with n allowed mentors is left without one: a
// maximum matching leaves a mentee out only when every allowed mentor's places are
// needed for others.
func whyTaken(n int) string {
	if n == 1 {
		return "the one mentor who fits is needed by another mentee"
	}
	return fmt.Sprintf("the %d mentors who fit are all needed by other mentees", n)
}

// warning is what a proposed pair's line should say before anyone approves it.
func warning(pr matching.Pair) string {
	var w []string
	if pr.Score.Points < 0 {
		w = append(w, WarnNegative)
	}
	if pr.ForCount {
		w = append(w, WarnForCount)
	}
	return strings.Join(w, "; ")
}

// Propose computes an optimal set of pairs for the cycle's pending mentees (as many
// matched as possible, then the highest total score, within mentors' free places)
// and stores it as a new round. Mentees no mentor can take are listed last.
//
// A pair of last cycle who both asked to continue is proposed first, pinned, with
// the reason "both asked to continue"; any other pair of last cycle is never
// proposed. The cycle's matching settings weigh the criteria and forbid pairs that
// break a must-have.
func (s *Service) Propose(ctx context.Context, c mentor.Cycle, actor string) (mentor.PairingRound, error) {
	p, err := s.pool(ctx, c.ID)
	if err != nil {
		return mentor.PairingRound{}, err
	}
	now := s.clock.Now()
	r := mentor.PairingRound{ID: uuid.NewString(), CycleID: c.ID, CreatedBy: actor, CreatedAt: now,
		Mentees: len(p.mentees), Mentors: len(p.mentors), Steering: Steering(p.settings)}

	// Pairs continuing from last cycle come first, as pins, while the mentor has a
	// place and neither avoids the other. The cycle's settings do not apply to a
	// pair who both asked to continue: no must-have stops it, and its score is at
	// the default levels.
	var pins []matching.Pin
	var rest []mentor.Participant
	places := p.freePlaces()
	for _, e := range p.mentees {
		rid, ok := p.continuing[e.UserID]
		if ok && places[rid] > 0 {
			sc := matching.ScorePairWith(p.person(e, zoneCache{}), p.person(p.byID[rid], zoneCache{}), s.weights, matching.Settings{})
			if !sc.Forbidden {
				places[rid]--
				pins = append(pins, matching.Pin{MenteeID: e.UserID, MentorID: rid})
				r.Proposals = append(r.Proposals, mentor.Proposal{MenteeID: e.UserID, MentorID: rid, Score: sc.Points,
					Reasons: clip("both asked to continue; "+sc.Text(), matching.MaxReasonsLen), State: mentor.ProposalOpen,
					Pinned: true, Continue: true})
				continue
			}
		}
		rest = append(rest, e)
	}
	pl, err := s.solve(&p, &r, rest, pins)
	if err != nil {
		return r, err
	}
	var none []mentor.Proposal
	for _, m := range rest { // sign-up order: first come, first shown
		pr, ok := pl.pairs[m.UserID]
		if !ok {
			none = append(none, mentor.Proposal{MenteeID: m.UserID, State: mentor.ProposalOpen, Reasons: pl.why[m.UserID]})
			continue
		}
		r.Proposals = append(r.Proposals, mentor.Proposal{MenteeID: m.UserID, MentorID: pr.MentorID,
			Score: pr.Score.Points, Reasons: pr.Score.Text(), State: mentor.ProposalOpen, Warning: warning(pr)})
	}
	r.Proposals = append(r.Proposals, none...)
	if err := s.store.SaveRound(ctx, r); err != nil {
		return r, err
	}
	return r, nil
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Reoptimise re-solves the open proposals of round roundID around the choices
// already made: approved pairs (their places are taken), the mentors the committee
// chose and pairs continuing from last cycle (pinned), and skipped proposals (set
// aside with their mentor). Proposals whose mentor changes record the one they had
// (Proposal.Was), and the round says how many changed (Changed). It is one atomic
// update of the round; reoptimising twice changes nothing more.
func (s *Service) Reoptimise(ctx context.Context, c mentor.Cycle, roundID, choice string) (mentor.PairingRound, error) {
	p, err := s.pool(ctx, c.ID)
	if err != nil {
		return mentor.PairingRound{}, err
	}
	return s.store.UpdateRound(ctx, c.ID, roundID, func(r *mentor.PairingRound) error {
		return s.reoptimise(&p, r, choice)
	})
}

// matchable reports whether id is in the pool and can be given a duo.
func (p *pool) matchable(id string) bool {
	x, ok := p.byID[id]
	return ok && x.Matchable()
}

// request is what re-optimising round r asks of the optimiser: the open mentees,
// and the pins (the committee's choices, pairs continuing from last cycle, and
// skipped proposals, which keep their mentor) while their mentor has a place.
func (p *pool) request(r *mentor.PairingRound) (open []mentor.Participant, pins []matching.Pin) {
	places := p.freePlaces()
	for _, pr := range r.Proposals {
		switch {
		case pr.State == mentor.ProposalApproved || !p.matchable(pr.MenteeID):
		case (pr.Pinned || pr.State == mentor.ProposalSkipped) && pr.MentorID != "":
			if places[pr.MentorID] > 0 { // else it stays as it is, and approving it will say why not
				places[pr.MentorID]--
				pins = append(pins, matching.Pin{MenteeID: pr.MenteeID, MentorID: pr.MentorID})
			}
		default:
			open = append(open, p.byID[pr.MenteeID])
		}
	}
	return open, pins
}

// reoptimise is Reoptimise on a round read in the current transaction.
func (s *Service) reoptimise(p *pool, r *mentor.PairingRound, choice string) error {
	open, pins := p.request(r)
	pl, err := s.solve(p, r, open, pins)
	if err != nil {
		return err
	}
	changed := 0
	for i := range r.Proposals {
		pr := &r.Proposals[i]
		pr.Was, pr.WasScore = "", 0
		if pr.State == mentor.ProposalApproved || pr.Pinned || pr.State == mentor.ProposalSkipped || !p.matchable(pr.MenteeID) {
			continue
		}
		np, ok := pl.pairs[pr.MenteeID]
		if np.MentorID != pr.MentorID {
			pr.Was, pr.WasScore = pr.MentorID, pr.Score
			if pr.Was == "" {
				pr.Was = "-" // had no mentor
			}
			changed++
			pr.State, pr.Note = mentor.ProposalOpen, ""
		}
		switch {
		case ok && pl.kept[pr.MenteeID]:
			pr.Warning = warning(np) // the pair stands; whether it is kept only for the count may not
		case ok:
			pr.MentorID, pr.Score, pr.Reasons, pr.Warning = np.MentorID, np.Score.Points, np.Score.Text(), warning(np)
		default:
			pr.MentorID, pr.Score, pr.Reasons, pr.Warning = "", 0, pl.why[pr.MenteeID], ""
		}
	}
	switch changed {
	case 0:
		r.Changed = fmt.Sprintf("Re-optimised around %s: no other proposal changed.", choice)
	case 1:
		r.Changed = fmt.Sprintf("Re-optimised around %s: 1 proposal changed (marked :arrows_counterclockwise:).", choice)
	default:
		r.Changed = fmt.Sprintf("Re-optimised around %s: %d proposals changed (marked :arrows_counterclockwise:).", choice, changed)
	}
	return nil
}

// Round returns a stored round.
func (s *Service) Round(ctx context.Context, cycleID, id string) (mentor.PairingRound, error) {
	return s.store.Round(ctx, cycleID, id)
}

// Alternative is a mentor the committee may choose instead.
type Alternative struct {
	MentorID string
	Name     string
	Score    int
	Reasons  string
	Free     int
	// Diff is Score minus the current proposal's score, and Why the criteria
	// behind it ("fewer shared areas, better time zones"); both zero when the
	// mentee has no proposed mentor.
	Diff int
	Why  string
}

// Alternatives returns up to limit mentors with a free place that mentee may be
// paired with, best first.
func (s *Service) Alternatives(ctx context.Context, cycleID, menteeID string, limit int) ([]Alternative, error) {
	p, err := s.pool(ctx, cycleID)
	if err != nil {
		return nil, err
	}
	return s.alternatives(&p, []mentor.Proposal{{MenteeID: menteeID}}, limit)[menteeID], nil
}

// alternatives ranks the mentors each proposal's mentee may have, compared with
// the proposal's current mentor when it has one. One matrix of these mentees and
// the pool's mentors scores them all, each person prepared once.
func (s *Service) alternatives(p *pool, props []mentor.Proposal, limit int) map[string][]Alternative {
	var es []matching.Person
	var known []mentor.Proposal
	zones := zoneCache{}
	for _, pr := range props {
		if m, ok := p.byID[pr.MenteeID]; ok {
			es = append(es, p.person(m, zones))
			known = append(known, pr)
		}
	}
	out := make(map[string][]Alternative, len(props))
	if len(es) == 0 {
		return out
	}
	x := matching.NewMatrixWith(es, p.people(p.mentors), s.weights, p.settings)
	for i, pr := range known {
		ranked := x.RankTop(i, limit)
		var current matching.Score
		hasCurrent := false
		if cur, ok := p.byID[pr.MentorID]; ok && pr.MentorID != "" {
			r := p.person(cur, zones)
			r.Capacity = max(r.Capacity, 1) // full now: compare with the pair all the same
			current = matching.ScorePairWith(es[i], r, s.weights, p.settings)
			hasCurrent = !current.Forbidden
		}
		alts := make([]Alternative, 0, len(ranked)) // RankTop cut it to limit
		for _, c := range ranked {
			mr := p.byID[c.MentorID]
			a := Alternative{MentorID: c.MentorID, Name: mr.Name, Score: c.Score.Points, Reasons: c.Score.Text(), Free: mr.FreeSlots()}
			if hasCurrent {
				d := matching.Compare(current, c.Score)
				a.Diff, a.Why = d.Points, strings.Join(d.Reasons, ", ")
			}
			alts = append(alts, a)
		}
		out[pr.MenteeID] = alts
	}
	return out
}

// AlternativesFor returns the alternatives of several mentees from one read of the
// participants: what a page of the pairing modal needs.
func (s *Service) AlternativesFor(ctx context.Context, cycleID string, menteeIDs []string, limit int) (map[string][]Alternative, map[string]mentor.Participant, error) {
	props := make([]mentor.Proposal, len(menteeIDs))
	for i, id := range menteeIDs {
		props[i].MenteeID = id
	}
	return s.AlternativesOf(ctx, cycleID, props, limit)
}

// AlternativesOf is AlternativesFor the mentees of proposals, each alternative
// compared with the proposal's mentor (Alternative.Diff and Why).
func (s *Service) AlternativesOf(ctx context.Context, cycleID string, props []mentor.Proposal, limit int) (map[string][]Alternative, map[string]mentor.Participant, error) {
	p, err := s.pool(ctx, cycleID)
	if err != nil {
		return nil, nil, err
	}
	return s.alternatives(&p, props, limit), p.byID, nil
}

// ChangeMentor replaces the mentor of proposal i with mentorID, scored afresh,
// pins it (the committee's choice), and re-optimises the round's other open
// proposals around it, in one atomic update (see Reoptimise). Only an open (or
// failed) proposal can change; a pair the cycle forbids (avoid lists, last
// cycle's partners, must-haves) is refused.
func (s *Service) ChangeMentor(ctx context.Context, cycleID, roundID string, i int, mentorID string) (mentor.PairingRound, error) {
	p, err := s.pool(ctx, cycleID)
	if err != nil {
		return mentor.PairingRound{}, err
	}
	return s.store.UpdateRound(ctx, cycleID, roundID, func(r *mentor.PairingRound) error {
		pr, err := proposalAt(r, i)
		if err != nil {
			return err
		}
		if pr.State == mentor.ProposalApproved {
			return mentor.Errorf(mentor.ECONFLICT, "This pair is already approved.")
		}
		mr, ok := p.byID[mentorID]
		if !ok || mr.Role != mentor.RoleMentor {
			return mentor.Errorf(mentor.EINVALID, "<@%s> is not a mentor in this cycle.", mentorID)
		}
		sc := matching.ScorePairWith(p.person(p.byID[pr.MenteeID], zoneCache{}), p.person(mr, zoneCache{}), s.weights, p.settings)
		if sc.Forbidden {
			return mentor.Errorf(mentor.EINVALID, "<@%s> can't be paired with <@%s>: %s.", pr.MenteeID, mentorID, sc.Text())
		}
		pr.MentorID, pr.Score, pr.Reasons = mentorID, sc.Points, sc.Text()
		pr.State, pr.Note, pr.Pinned, pr.Continue = mentor.ProposalOpen, "", true, false
		pr.Warning = ""
		if sc.Points < 0 {
			pr.Warning = WarnNegative
		}
		return s.reoptimise(&p, r, fmt.Sprintf("your choice of <@%s> for <@%s>", mentorID, pr.MenteeID))
	})
}

// Skip sets proposal i aside (it can still be approved later).
func (s *Service) Skip(ctx context.Context, cycleID, roundID string, i int, actor string) (mentor.PairingRound, error) {
	return s.store.UpdateRound(ctx, cycleID, roundID, func(r *mentor.PairingRound) error {
		pr, err := proposalAt(r, i)
		if err != nil {
			return err
		}
		if pr.State == mentor.ProposalApproved {
			return nil
		}
		pr.State, pr.DecidedBy = mentor.ProposalSkipped, actor
		return nil
	})
}

// Approval is the outcome of approving one proposal.
type Approval struct {
	Proposal mentor.Proposal // as the approval left it, before any re-optimisation
	Duo      mentor.Duo
	Created  bool                // false: the pair already was a duo (a double click, a redelivery)
	Round    mentor.PairingRound // the round as the approval left it
}

// Approve makes proposal i a duo, exactly once: approving the same pair again returns
// the same duo (Created false); a pair that meanwhile became impossible (mentee taken,
// mentor full, someone left) fails with mentor.ECONFLICT, and the proposal records why.
// With a non-empty choice ("your approval") the round's open proposals are then
// re-optimised around it (see Reoptimise) in the same update of the round, and a
// refusal's note heads the round's line about what changed (re-optimising may give
// the refused proposal another mentor, and so take its own note away).
func (s *Service) Approve(ctx context.Context, c mentor.Cycle, roundID string, i int, actor, choice string) (Approval, error) {
	r, err := s.store.Round(ctx, c.ID, roundID)
	if err != nil {
		return Approval{}, err
	}
	pr, err := proposalAt(&r, i)
	if err != nil {
		return Approval{}, err
	}
	if pr.MentorID == "" {
		return Approval{}, mentor.Errorf(mentor.EINVALID, "Choose a mentor for <@%s> first.", pr.MenteeID)
	}
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	d, created, err := s.store.CreateDuo(ctx, mentor.Duo{
		ID: uuid.NewString(), CycleID: c.ID, MentorID: pr.MentorID, MenteeID: pr.MenteeID,
		Score: pr.Score, Reasons: pr.Reasons, ApprovedBy: actor, CreatedAt: now,
	})
	note := ""
	if err != nil {
		if mentor.ErrorCode(err) != mentor.ECONFLICT {
			return Approval{}, err
		}
		note = mentor.ErrorMessage(err)
	}
	var p pool
	if choice != "" { // read after the duo is made: its people are taken
		if p, err = s.pool(ctx, c.ID); err != nil {
			return Approval{Duo: d, Created: created}, err
		}
	}
	mentorID := pr.MentorID
	var approved mentor.Proposal
	r, uerr := s.store.UpdateRound(ctx, c.ID, roundID, func(r *mentor.PairingRound) error {
		pr, err := proposalAt(r, i)
		if err != nil {
			return err
		}
		switch {
		case pr.MentorID != mentorID: // changed meanwhile; the duo stands on its own
		case note != "":
			if pr.State != mentor.ProposalApproved {
				pr.State, pr.Note = mentor.ProposalFailed, note
			}
		default:
			pr.State, pr.DuoID, pr.Note = mentor.ProposalApproved, d.ID, ""
			if created || pr.DecidedBy == "" {
				pr.DecidedBy = d.ApprovedBy
			}
		}
		approved = *pr
		if choice == "" {
			return nil
		}
		if err := s.reoptimise(&p, r, choice); err != nil {
			return err
		}
		if approved.State == mentor.ProposalFailed {
			r.Changed = strings.TrimSpace("Not approved: " + note + " " + r.Changed)
		}
		return nil
	})
	if uerr != nil {
		// The duo stands even if the round could not record it: hand it back so
		// the caller still opens it.
		return Approval{Duo: d, Created: created}, uerr
	}
	out := Approval{Proposal: approved, Duo: d, Created: created, Round: r}
	if err != nil {
		return out, err
	}
	return out, nil
}

func proposalAt(r *mentor.PairingRound, i int) (*mentor.Proposal, error) {
	if i < 0 || i >= len(r.Proposals) {
		return nil, mentor.Errorf(mentor.ENOTFOUND, "That proposal is not in this round any more. Run `/mentorship match` again.")
	}
	return &r.Proposals[i], nil
}

// zoneCache keeps loaded time zones for one conversion: loading a zone reads and
// parses a file, and hundreds of people share a handful of zones.
type zoneCache map[string]*time.Location

func personIn(p mentor.Participant, now time.Time, zones zoneCache) matching.Person {
	areas := make([]string, 0, len(p.Areas)+1)
	for _, a := range p.Areas {
		if a != "other" {
			areas = append(areas, TopicName(a))
		}
	}
	for _, a := range strings.Split(p.OtherAreas, ",") {
		if a = strings.TrimSpace(a); a != "" {
			areas = append(areas, a)
		}
	}
	text := p.Needs
	if p.Role == mentor.RoleMentor {
		text = p.Offer
	}
	stage, _ := matching.ParseStage(string(p.Stage))
	return matching.Person{
		ID: p.UserID, Name: p.Name, Stage: stage, Areas: areas, Text: text,
		Methods: p.Methods, Frequency: p.Frequency, UTCOffset: utcOffsetMinutes(p, now, zones),
		Capacity: p.FreeSlots(), Avoid: p.Avoid,
	}
}

// utcOffsetMinutes is the person's offset at now: from their IANA zone when it is
// known here, else the offset Slack reported when they signed up.
func utcOffsetMinutes(p mentor.Participant, now time.Time, zones zoneCache) int {
	if p.TZ != "" {
		loc, ok := zones[p.TZ]
		if !ok {
			loc, _ = time.LoadLocation(p.TZ) // nil when unknown here
			zones[p.TZ] = loc
		}
		if loc != nil {
			_, off := now.In(loc).Zone()
			return off / 60
		}
	}
	return p.TZOffset / 60
}

// TopicName is a topic's short name in reasons ("shared: grant opportunities").
func TopicName(value string) string {
	names := map[string]string{
		"experience": "professional experience", "grants": "grant opportunities", "career": "career advice",
		"research": "research topic", "resume": "resume", "development": "professional development",
		"self-assessment": "self-assessment", "web-page": "personal web page", "organizations": "professional organizations",
	}
	if n, ok := names[value]; ok {
		return n
	}
	return value
}

// ChannelName is the duo channel's name: "duo-", the cycle and both first names,
// within Slack's rules (lower-case letters, digits, '-' and '_', at most 80), with
// "-<suffix>" when an earlier name was taken (suffix > 1).
func ChannelName(cycleName, menteeName, mentorName, menteeID, mentorID string, suffix int) string {
	part := func(s, fallback string, n int) string {
		out := slug(s, n)
		if out == "" {
			out = slug(fallback, n)
		}
		return out
	}
	name := "duo-" + part(cycleName, "cycle", 20) + "-" + part(firstName(menteeName), menteeID, 20) + "-" + part(firstName(mentorName), mentorID, 20)
	end := ""
	if suffix > 1 {
		end = fmt.Sprintf("-%d", suffix)
	}
	if len(name)+len(end) > 80 {
		name = strings.TrimRight(name[:80-len(end)], "-")
	}
	return name + end
}

func firstName(full string) string {
	f := strings.Fields(full)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// slug keeps ASCII letters and digits (lower-cased), turns everything else into
// single dashes, and cuts at n characters.
func slug(s string, n int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r == '_' || r == '-' || r == ' ' || r == '.' || r == '–' || r == '—' || r == '/':
			if b.Len() > 0 && !dash {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= n {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}
