// Package pairing is the use case of making duos: proposing an optimal set of
// mentor–mentee pairs to the committee, approving a pair exactly once, and opening
// the duo in the workspace step by step so that a failure half-way can be resumed.
package pairing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/matching"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Store is what the service needs from storage.
type Store interface {
	Participants(ctx context.Context, cycleID string) ([]mentor.Participant, error)
	Participant(ctx context.Context, cycleID, userID string) (mentor.Participant, error)
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
}

// Service runs the pairing use case.
type Service struct {
	store   Store
	clock   clock.Clock
	weights matching.Weights
}

// New returns the service, scoring with the program's default weights.
func New(store Store, c clock.Clock) *Service {
	return &Service{store: store, clock: c, weights: matching.DefaultWeights()}
}

// Duos returns the duos with the given ids.
func (s *Service) Duos(ctx context.Context, cycleID string, ids []string) ([]mentor.Duo, error) {
	return s.store.Duos(ctx, cycleID, ids)
}

// pool is the people a round can pair: pending mentees and mentors with a free place.
type pool struct {
	byID    map[string]mentor.Participant
	mentees []mentor.Participant // by sign-up time
	mentors []mentor.Participant
}

func (s *Service) pool(ctx context.Context, cycleID string) (pool, error) {
	all, err := s.store.Participants(ctx, cycleID)
	if err != nil {
		return pool{}, err
	}
	p := pool{byID: make(map[string]mentor.Participant, len(all))}
	for _, x := range all {
		p.byID[x.UserID] = x
		switch {
		case !x.Matchable():
		case x.Role == mentor.RoleMentee:
			p.mentees = append(p.mentees, x)
		case x.Role == mentor.RoleMentor:
			p.mentors = append(p.mentors, x)
		}
	}
	return p, nil
}

// Propose computes an optimal set of pairs for the cycle's pending mentees (as many
// matched as possible, then the highest total score, within mentors' free places)
// and stores it as a new round. Mentees no mentor can take are listed last.
func (s *Service) Propose(ctx context.Context, c mentor.Cycle, actor string) (mentor.PairingRound, error) {
	p, err := s.pool(ctx, c.ID)
	if err != nil {
		return mentor.PairingRound{}, err
	}
	now := s.clock.Now()
	mentees := people(p.mentees, now)
	mentors := people(p.mentors, now)
	res := matching.Solve(mentees, mentors, s.weights)
	proposed := make(map[string]matching.Pair, len(res.Pairs))
	for _, pr := range res.Pairs {
		proposed[pr.MenteeID] = pr
	}
	r := mentor.PairingRound{ID: uuid.NewString(), CycleID: c.ID, CreatedBy: actor, CreatedAt: now,
		Mentees: len(mentees), Mentors: len(mentors)}
	var none []mentor.Proposal
	for _, m := range p.mentees { // sign-up order: first come, first shown
		pr, ok := proposed[m.UserID]
		if !ok {
			none = append(none, mentor.Proposal{MenteeID: m.UserID, State: mentor.ProposalOpen,
				Reasons: "no mentor with a free place fits (avoid lists, or no places left)"})
			continue
		}
		r.Proposals = append(r.Proposals, mentor.Proposal{MenteeID: m.UserID, MentorID: pr.MentorID,
			Score: pr.Score.Points, Reasons: pr.Score.Text(), State: mentor.ProposalOpen})
	}
	r.Proposals = append(r.Proposals, none...)
	if err := s.store.SaveRound(ctx, r); err != nil {
		return r, err
	}
	return r, nil
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
}

// Alternatives returns up to limit mentors with a free place that mentee may be
// paired with, best first.
func (s *Service) Alternatives(ctx context.Context, cycleID, menteeID string, limit int) ([]Alternative, error) {
	p, err := s.pool(ctx, cycleID)
	if err != nil {
		return nil, err
	}
	return s.alternatives(p, menteeID, limit), nil
}

func (s *Service) alternatives(p pool, menteeID string, limit int) []Alternative {
	m, ok := p.byID[menteeID]
	if !ok {
		return nil
	}
	now := s.clock.Now()
	ranked := matching.Rank(person(m, now), people(p.mentors, now), s.weights)
	out := make([]Alternative, 0, min(limit, len(ranked)))
	for _, c := range ranked {
		if len(out) == limit {
			break
		}
		mr := p.byID[c.MentorID]
		out = append(out, Alternative{MentorID: c.MentorID, Name: mr.Name, Score: c.Score.Points, Reasons: c.Score.Text(), Free: mr.FreeSlots()})
	}
	return out
}

// AlternativesFor returns the alternatives of several mentees from one read of the
// participants: what a page of the pairing modal needs.
func (s *Service) AlternativesFor(ctx context.Context, cycleID string, menteeIDs []string, limit int) (map[string][]Alternative, map[string]mentor.Participant, error) {
	p, err := s.pool(ctx, cycleID)
	if err != nil {
		return nil, nil, err
	}
	out := make(map[string][]Alternative, len(menteeIDs))
	for _, id := range menteeIDs {
		out[id] = s.alternatives(p, id, limit)
	}
	return out, p.byID, nil
}

// ChangeMentor replaces the mentor of proposal i with mentorID, scored afresh. Only
// an open (or failed) proposal can change.
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
		sc := matching.ScorePair(person(p.byID[pr.MenteeID], s.clock.Now()), person(mr, s.clock.Now()), s.weights)
		if sc.Forbidden {
			return mentor.Errorf(mentor.EINVALID, "<@%s> can't be paired with <@%s>: %s.", pr.MenteeID, mentorID, sc.Text())
		}
		pr.MentorID, pr.Score, pr.Reasons = mentorID, sc.Points, sc.Text()
		pr.State, pr.Note = mentor.ProposalOpen, ""
		return nil
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
	Proposal mentor.Proposal
	Duo      mentor.Duo
	Created  bool // false: the pair already was a duo (a double click, a redelivery)
}

// Approve makes proposal i a duo, exactly once: approving the same pair again returns
// the same duo (Created false); a pair that meanwhile became impossible (mentee taken,
// mentor full, someone left) fails with mentor.ECONFLICT, and the proposal records why.
func (s *Service) Approve(ctx context.Context, c mentor.Cycle, roundID string, i int, actor string) (Approval, error) {
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
	mentorID := pr.MentorID
	r, uerr := s.store.UpdateRound(ctx, c.ID, roundID, func(r *mentor.PairingRound) error {
		p, err := proposalAt(r, i)
		if err != nil {
			return err
		}
		if p.MentorID != mentorID {
			return nil // changed meanwhile; the duo stands on its own
		}
		if note != "" {
			if p.State != mentor.ProposalApproved {
				p.State, p.Note = mentor.ProposalFailed, note
			}
			return nil
		}
		p.State, p.DuoID, p.Note = mentor.ProposalApproved, d.ID, ""
		if created || p.DecidedBy == "" {
			p.DecidedBy = d.ApprovedBy
		}
		return nil
	})
	if uerr != nil {
		// The duo stands even if the round could not record it: hand it back so
		// the caller still opens it.
		return Approval{Duo: d, Created: created}, uerr
	}
	out := Approval{Proposal: r.Proposals[i], Duo: d, Created: created}
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

// people converts participants for the scorer.
func people(ps []mentor.Participant, now time.Time) []matching.Person {
	out := make([]matching.Person, len(ps))
	zones := zoneCache{}
	for i, p := range ps {
		out[i] = personIn(p, now, zones)
	}
	return out
}

func person(p mentor.Participant, now time.Time) matching.Person {
	return personIn(p, now, zoneCache{})
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
