// Package duos is the use case of a duo's life after it opens: first contact seen
// from messages, the duo agreement both sign, concerns raised with the committee, and
// dissolving a duo (the guidelines' no-fault exit). Slack side effects that must
// happen are scheduled as durable jobs and performed by the bot.
package duos

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Job kinds this use case schedules (performed by the bot).
const (
	JobAgreementPost   = "agreement_post"   // post version N in the duo channel; mark N-1 replaced
	JobAgreementRecord = "agreement_record" // post the signed agreement to the committee
	JobConcernPost     = "concern_post"     // post a concern to the committee
	JobDissolve        = "dissolve"         // archive the channel, tell both
)

// Store is what the service needs from storage.
type Store interface {
	Duos(ctx context.Context, cycleID string, ids []string) ([]mentor.Duo, error)
	Participant(ctx context.Context, cycleID, userID string) (mentor.Participant, error)
	DuoByChannel(ctx context.Context, channelID string) (cycleID, duoID string, ok bool, err error)
	RecordMessage(ctx context.Context, cycleID, duoID, userID, eventID string, at time.Time) (mentor.MessageOutcome, error)
	SaveAgreement(ctx context.Context, a mentor.Agreement, submissionID string) (mentor.Agreement, bool, error)
	Agreement(ctx context.Context, cycleID, duoID string, version int) (mentor.Agreement, error)
	SignAgreement(ctx context.Context, cycleID, duoID string, version int, userID string, at time.Time) (mentor.SignOutcome, error)
	SetAgreementPost(ctx context.Context, cycleID, duoID string, version int, ts string) error
	SaveConcern(ctx context.Context, k mentor.Concern) (mentor.Concern, bool, error)
	Concern(ctx context.Context, cycleID, id string) (mentor.Concern, error)
	DecideConcern(ctx context.Context, cycleID, id string, state mentor.ConcernState, by string, at time.Time) (mentor.Concern, bool, error)
	DissolveDuo(ctx context.Context, cycleID, duoID, by string, at time.Time, toPool map[string]bool) (mentor.Dissolution, error)
	ReturnToPool(ctx context.Context, cycleID, userID string, at time.Time) (bool, error)
	DuoPage(ctx context.Context, cycleID string, offset, limit int) ([]mentor.Duo, int, error)
	DuoIDs(ctx context.Context, cycleID string) ([]string, error)
	SetAgreementRecorded(ctx context.Context, cycleID, duoID string, version int, ts string) error
	SetConcernPost(ctx context.Context, cycleID, id, ts string) error
	OpenConcerns(ctx context.Context, cycleID string, limit int) ([]mentor.Concern, int, error)
}

// Scheduler keeps the durable jobs.
type Scheduler interface {
	Now(ctx context.Context, j mentor.Job, mode mentor.ScheduleMode) error
}

// Nudges are told what changes a duo's reminders.
type Nudges interface {
	FirstMessage(ctx context.Context, c mentor.Cycle, d mentor.Duo, userID string) error
	AgreementSigned(ctx context.Context, c mentor.Cycle, d mentor.Duo) error
	DuoEnded(ctx context.Context, c mentor.Cycle, d mentor.Duo) error
}

// Service runs the use case. It is safe for concurrent use.
type Service struct {
	store  Store
	sched  Scheduler
	nudges Nudges
	clock  clock.Clock
	chans  *channelCache
}

// New returns the service.
func New(store Store, sched Scheduler, nudges Nudges, clk clock.Clock) *Service {
	return &Service{store: store, sched: sched, nudges: nudges, clock: clk, chans: newChannelCache(clk)}
}

// schedule stores a job due now (the first schedule of a key wins) and has it run
// at once.
func (s *Service) schedule(ctx context.Context, kind, key string, data map[string]string) error {
	return s.sched.Now(ctx, mentor.Job{Key: key, Kind: kind, Data: data}, mentor.ScheduleKeep)
}

// Duo returns one duo of cycle cycleID; mentor.ENOTFOUND if it does not exist.
func (s *Service) Duo(ctx context.Context, cycleID, duoID string) (mentor.Duo, error) {
	ds, err := s.store.Duos(ctx, cycleID, []string{duoID})
	if err != nil {
		return mentor.Duo{}, err
	}
	if len(ds) == 0 {
		return mentor.Duo{}, mentor.Errorf(mentor.ENOTFOUND, "That duo no longer exists.")
	}
	return ds[0], nil
}

// member returns duo duoID if userID is one of its two members and it has neither
// ended nor been closed at the end of its cycle.
func (s *Service) member(ctx context.Context, cycleID, duoID, userID string) (mentor.Duo, error) {
	d, err := s.Duo(ctx, cycleID, duoID)
	if err != nil {
		return d, err
	}
	if !d.Has(userID) {
		return d, mentor.Errorf(mentor.EFORBIDDEN, "Only the duo's mentor and mentee can do that.")
	}
	if d.Ended() {
		return d, mentor.Errorf(mentor.ECONFLICT, "This duo has ended.")
	}
	if d.Closed() {
		return d, mentor.Errorf(mentor.ECONFLICT, "Your duo was closed at the end of the cycle. To reach the committee now, write to them directly.")
	}
	return d, nil
}

// DuosOf returns the open duos userID belongs to in cycle c (a mentor may have
// several).
func (s *Service) DuosOf(ctx context.Context, c mentor.Cycle, userID string) ([]mentor.Duo, error) {
	p, err := s.store.Participant(ctx, c.ID, userID)
	if mentor.ErrorCode(err) == mentor.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ds, err := s.store.Duos(ctx, c.ID, p.Duos)
	if err != nil {
		return nil, err
	}
	out := ds[:0]
	for _, d := range ds {
		if !d.Ended() {
			out = append(out, d)
		}
	}
	return out, nil
}

// DuoOfChannel returns the duo whose channel is channelID, if any.
func (s *Service) DuoOfChannel(ctx context.Context, channelID string) (cycleID, duoID string, ok bool, err error) {
	if e, hit := s.chans.get(channelID); hit {
		return e.cycle, e.duo, e.duo != "", nil
	}
	cycleID, duoID, ok, err = s.store.DuoByChannel(ctx, channelID)
	if err != nil {
		return "", "", false, err
	}
	s.chans.put(channelID, cycleID, duoID)
	return cycleID, duoID, ok, nil
}

// ChannelOpened tells this replica's cache that channelID now belongs to a duo (it
// may have remembered it as "not a duo channel").
func (s *Service) ChannelOpened(channelID string) { s.chans.forget(channelID) }

// Message is what a member wrote in a duo channel, as far as the bot keeps it: who
// and when, never what.
type Message struct {
	EventID string
	Channel string
	User    string
	At      time.Time
}

// Seen is what Message did: the duo, and the outcome (Duo is empty when the channel
// is not a duo's).
type Seen struct {
	CycleID string
	Duo     mentor.Duo
	Outcome mentor.MessageOutcome
}

// Message records a person's message in a channel the bot is in. A channel that is
// not a duo's costs at most one Redis round trip (then none for a while: the answer
// is cached); a duo's costs one more, which also de-duplicates redelivered events.
// The first message of the mentee ticks "initial contact", the mentor's "welcome",
// and cancels the nudge it answers.
func (s *Service) Message(ctx context.Context, m Message) (Seen, error) {
	cycleID, duoID, ok, err := s.DuoOfChannel(ctx, m.Channel)
	if err != nil || !ok {
		return Seen{}, err
	}
	out, err := s.store.RecordMessage(ctx, cycleID, duoID, m.User, m.EventID, m.At)
	if err != nil {
		return Seen{}, err
	}
	seen := Seen{CycleID: cycleID, Outcome: out}
	if !out.First && !out.Ticked {
		return seen, nil
	}
	d, err := s.Duo(ctx, cycleID, duoID)
	if err != nil {
		return seen, err
	}
	seen.Duo = d
	if out.First && s.nudges != nil {
		if err := s.nudges.FirstMessage(ctx, mentor.Cycle{ID: cycleID}, d, m.User); err != nil {
			return seen, err
		}
	}
	return seen, nil
}

// AgreementForm returns what the agreement form of duo duoID shows userID: the
// current version, or a first draft from both sign-ups.
func (s *Service) AgreementForm(ctx context.Context, c mentor.Cycle, duoID, userID string) (mentor.Agreement, mentor.Duo, error) {
	d, err := s.member(ctx, c.ID, duoID, userID)
	if err != nil {
		return mentor.Agreement{}, d, err
	}
	a, err := s.store.Agreement(ctx, c.ID, duoID, 0)
	if err == nil {
		return a, d, nil
	}
	if mentor.ErrorCode(err) != mentor.ENOTFOUND {
		return a, d, err
	}
	var mentee, mr *mentor.Participant
	if p, err := s.store.Participant(ctx, c.ID, d.MenteeID); err == nil {
		mentee = &p
	}
	if p, err := s.store.Participant(ctx, c.ID, d.MentorID); err == nil {
		mr = &p
	}
	return mentor.DefaultAgreement(c, d, mentee, mr), d, nil
}

// SubmitAgreement validates a and stores it as the duo's next version (the first
// draft, or an edit that voids both signatures), then has it posted in the duo
// channel for both to sign. submissionID makes a double submission one version.
func (s *Service) SubmitAgreement(ctx context.Context, c mentor.Cycle, a mentor.Agreement, userID, submissionID string) (mentor.Agreement, mentor.Duo, error) {
	d, err := s.member(ctx, c.ID, a.DuoID, userID)
	if err != nil {
		return a, d, err
	}
	a.CycleID, a.Author, a.CreatedAt = c.ID, userID, s.clock.Now().UTC()
	a.Signatures, a.PostTS = nil, ""
	if err := a.Validate(c); err != nil {
		return a, d, err
	}
	saved, _, err := s.store.SaveAgreement(ctx, a, submissionID)
	if err != nil {
		return saved, d, err
	}
	v := strconv.Itoa(saved.Version)
	err = s.schedule(ctx, JobAgreementPost, "agreement-post:"+c.ID+":"+d.ID+":v"+v,
		map[string]string{"cycle": c.ID, "duo": d.ID, "version": v})
	return saved, d, err
}

// Sign records userID's signature on version of the duo's agreement. Signing twice
// changes nothing; a replaced version cannot be signed. When this signature completes
// the pair, the agreement is sent to the committee (once per version) and the
// agreement reminders stop.
func (s *Service) Sign(ctx context.Context, c mentor.Cycle, duoID string, version int, userID string) (mentor.SignOutcome, mentor.Duo, error) {
	d, err := s.member(ctx, c.ID, duoID, userID)
	if err != nil {
		return mentor.SignOutcome{}, d, err
	}
	out, err := s.store.SignAgreement(ctx, c.ID, duoID, version, userID, s.clock.Now().UTC())
	if err != nil {
		return out, d, err
	}
	// The committee gets the signed version once: scheduled by the signature that
	// completed it, and again (harmlessly: the job checks the record) by any later
	// click while it has not been sent, should that first scheduling have failed.
	if !out.Complete && !(out.Agreement.SignedByBoth(d) && out.Agreement.CommitteeTS == "") {
		return out, d, nil
	}
	if d, err = s.Duo(ctx, c.ID, duoID); err != nil {
		return out, d, err
	}
	v := strconv.Itoa(version)
	if err := s.schedule(ctx, JobAgreementRecord, "agreement-record:"+c.ID+":"+duoID+":v"+v,
		map[string]string{"cycle": c.ID, "duo": duoID, "version": v}); err != nil {
		return out, d, err
	}
	if s.nudges != nil {
		err = s.nudges.AgreementSigned(ctx, c, d)
	}
	return out, d, err
}

// Agreement returns a version of the duo's agreement (0: the current one).
func (s *Service) Agreement(ctx context.Context, cycleID, duoID string, version int) (mentor.Agreement, error) {
	return s.store.Agreement(ctx, cycleID, duoID, version)
}

// AgreementPosted records where version was posted.
func (s *Service) AgreementPosted(ctx context.Context, cycleID, duoID string, version int, ts string) error {
	return s.store.SetAgreementPost(ctx, cycleID, duoID, version, ts)
}

// RaiseConcern records a member's confidential concern about their duo and has it
// posted to the committee. The partner is told nothing. k.ID is chosen when the form
// opens, so a double submission is one concern.
func (s *Service) RaiseConcern(ctx context.Context, c mentor.Cycle, k mentor.Concern) (mentor.Concern, error) {
	if k.Kind == "" {
		k.Kind = mentor.ConcernRaised
	}
	if err := k.Validate(); err != nil {
		return k, err
	}
	if _, err := s.member(ctx, c.ID, k.DuoID, k.From); err != nil {
		return k, err
	}
	k.CycleID, k.State, k.CreatedAt = c.ID, mentor.ConcernOpen, s.clock.Now().UTC()
	saved, _, err := s.store.SaveConcern(ctx, k)
	if err != nil {
		return saved, err
	}
	return saved, s.scheduleConcernPost(ctx, c, saved)
}

// scheduleConcernPost has the concern posted to the committee unless it was. Safe to
// repeat (a submission delivered twice, a retry after a failure).
func (s *Service) scheduleConcernPost(ctx context.Context, c mentor.Cycle, k mentor.Concern) error {
	if k.PostTS != "" {
		return nil
	}
	return s.schedule(ctx, JobConcernPost, "concern-post:"+c.ID+":"+k.ID, map[string]string{"cycle": c.ID, "concern": k.ID})
}

// ConcernPosted records the committee post of a concern.
func (s *Service) ConcernPosted(ctx context.Context, cycleID, id, ts string) error {
	return s.store.SetConcernPost(ctx, cycleID, id, ts)
}

// AgreementRecorded records the committee post of a signed version.
func (s *Service) AgreementRecorded(ctx context.Context, cycleID, duoID string, version int, ts string) error {
	return s.store.SetAgreementRecorded(ctx, cycleID, duoID, version, ts)
}

// Left tells the committee, for each duo of userID still open, that they left the
// program while in it: the same message as a concern, with the same buttons.
func (s *Service) Left(ctx context.Context, c mentor.Cycle, userID string, duoIDs []string) error {
	ds, err := s.store.Duos(ctx, c.ID, duoIDs)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Ended() || !d.Has(userID) {
			continue
		}
		k := mentor.Concern{ID: "left-" + d.ID + "-" + userID, CycleID: c.ID, DuoID: d.ID, From: userID,
			Kind: mentor.ConcernLeft, State: mentor.ConcernOpen, CreatedAt: s.clock.Now().UTC()}
		saved, _, err := s.store.SaveConcern(ctx, k)
		if err != nil {
			return err
		}
		if err := s.scheduleConcernPost(ctx, c, saved); err != nil {
			return err
		}
	}
	return nil
}

// Concern returns a concern with its duo.
func (s *Service) Concern(ctx context.Context, cycleID, id string) (mentor.Concern, mentor.Duo, error) {
	k, err := s.store.Concern(ctx, cycleID, id)
	if err != nil {
		return k, mentor.Duo{}, err
	}
	d, err := s.Duo(ctx, cycleID, k.DuoID)
	return k, d, err
}

// MarkHandled closes a concern without dissolving the duo. Deciding twice changes
// nothing (changed is false).
func (s *Service) MarkHandled(ctx context.Context, c mentor.Cycle, id, by string) (mentor.Concern, bool, error) {
	return s.store.DecideConcern(ctx, c.ID, id, mentor.ConcernHandled, by, s.clock.Now().UTC())
}

// Dissolve ends the duo a concern is about, exactly once however many committee
// members click: the duo ends, both leave it (the mentor's place is freed), whoever
// asked for a new match is back in the pool, and the channel's archiving and both
// people's messages are scheduled. The concern is decided first, atomically, so
// "Dissolve" and "Mark handled" cannot both win. Every step is safe to repeat: a
// second click after a failure half-way finishes the job. A duo closed at the end of
// its cycle is not dissolved, even when it closes while this runs: nobody is told
// that it ended and its channel is left as its closing chose.
func (s *Service) Dissolve(ctx context.Context, c mentor.Cycle, id, by string) (mentor.Concern, mentor.Dissolution, error) {
	now := s.clock.Now().UTC()
	// The duo is read here once: its members do not change (DissolveDuo checks that
	// they are still the ones read), and whether it is closed is checked again by
	// DissolveDuo's script.
	k, d, err := s.Concern(ctx, c.ID, id)
	if err != nil {
		return k, mentor.Dissolution{}, err
	}
	if closedNotEnded(d) {
		return k, mentor.Dissolution{Duo: d}, errDuoClosed
	}
	k, _, err = s.store.DecideConcern(ctx, c.ID, id, mentor.ConcernDissolved, by, now)
	if err != nil {
		return k, mentor.Dissolution{}, err
	}
	if k.State == mentor.ConcernHandled {
		return k, mentor.Dissolution{}, mentor.Errorf(mentor.ECONFLICT, "This concern was marked handled, so the duo stays. Ask the people involved to raise a new concern if it needs dissolving.")
	}
	dis, err := s.store.DissolveDuo(ctx, c.ID, k.DuoID, k.DecidedBy, now, ToPool(d, k))
	if err != nil {
		return k, dis, err
	}
	if !dis.Changed && closedNotEnded(dis.Duo) {
		// Closed since the check above: nothing was dissolved, so nobody is told
		// it ended and its channel is not archived. (A duo that had ended already
		// goes on: this is a repeat, which finishes a job left half-way.)
		return k, dis, errDuoClosed
	}
	if s.nudges != nil {
		if err := s.nudges.DuoEnded(ctx, c, dis.Duo); err != nil {
			return k, dis, err
		}
	}
	return k, dis, s.schedule(ctx, JobDissolve, "dissolve:"+c.ID+":"+k.DuoID,
		map[string]string{"cycle": c.ID, "duo": k.DuoID, "concern": k.ID})
}

// closedNotEnded reports whether duo d was closed at the end of its cycle (its people
// completed it) without having been dissolved before: no duo is left to dissolve.
func closedNotEnded(d mentor.Duo) bool { return d.Closed() && !d.Ended() }

var errDuoClosed = mentor.Errorf(mentor.ECONFLICT, "This duo was closed at the end of its cycle, so there is nothing to dissolve. Mark the concern handled once you have followed up.")

// ToPool says who goes back to the pool when duo d is dissolved over concern k: the
// person who raised it if they asked for a new match; the mentor, if it was the
// mentee who raised it (their place is freed for another mentee; they are asked
// whether they want one); not the mentee partner of a mentor who raised it (they are
// asked first), and never someone who left the program.
func ToPool(d mentor.Duo, k mentor.Concern) map[string]bool {
	partner := d.Partner(k.From)
	return map[string]bool{
		k.From:  k.Kind == mentor.ConcernRaised && k.NewMatch,
		partner: partner == d.MentorID,
	}
}

// Rematch puts a person whose duo was dissolved back in the pool at their request.
func (s *Service) Rematch(ctx context.Context, c mentor.Cycle, userID string) (bool, error) {
	if !c.Open(s.clock.Now()) {
		return false, mentor.Errorf(mentor.ECONFLICT, "This cycle is over; sign up again when the next one opens.")
	}
	return s.store.ReturnToPool(ctx, c.ID, userID, s.clock.Now().UTC())
}

// CommitteeView is what the committee's Home shows of the cycle's duos.
type CommitteeView struct {
	Duos         []mentor.Duo // page Page of the duos, oldest first
	Page, Total  int
	OpenConcerns int
}

// CommitteeView returns page `page` (of size duos) of the cycle's duos and the
// number of open concerns.
func (s *Service) CommitteeView(ctx context.Context, c mentor.Cycle, page, size int) (CommitteeView, error) {
	page = max(page, 0)
	ds, total, err := s.store.DuoPage(ctx, c.ID, page*size, size)
	if err != nil {
		return CommitteeView{}, err
	}
	if len(ds) == 0 && page > 0 && total > 0 { // past the end: show the last page
		page = (total - 1) / size
		if ds, total, err = s.store.DuoPage(ctx, c.ID, page*size, size); err != nil {
			return CommitteeView{}, err
		}
	}
	_, open, err := s.store.OpenConcerns(ctx, c.ID, 0)
	return CommitteeView{Duos: ds, Page: page, Total: total, OpenConcerns: open}, err
}

// channelCache remembers which channels are duo channels (for as long as the process
// lives: a channel never changes duo) and which are not (briefly: a channel becomes a
// duo's when it is created, and ChannelOpened forgets it on this replica). It is
// bounded: when full it starts over.
type channelCache struct {
	clock clock.Clock
	mu    sync.Mutex
	m     map[string]channelEntry
}

type channelEntry struct {
	cycle, duo string
	until      time.Time // for "not a duo channel"
}

const (
	channelCacheMax = 50_000
	notDuoTTL       = time.Minute
)

func newChannelCache(clk clock.Clock) *channelCache {
	return &channelCache{clock: clk, m: map[string]channelEntry{}}
}

func (c *channelCache) get(ch string) (channelEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[ch]
	if ok && e.duo == "" && c.clock.Now().After(e.until) {
		delete(c.m, ch)
		return e, false
	}
	return e, ok
}

func (c *channelCache) put(ch, cycle, duo string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= channelCacheMax {
		c.m = map[string]channelEntry{}
	}
	c.m[ch] = channelEntry{cycle: cycle, duo: duo, until: c.clock.Now().Add(notDuoTTL)}
}

func (c *channelCache) forget(ch string) {
	c.mu.Lock()
	delete(c.m, ch)
	c.mu.Unlock()
}

// Each calls fn with every duo of cycle cycleID, oldest first (ended and closed ones
// included), reading them a page at a time (mentor.EachDuo). It stops at the first
// error fn returns.
func (s *Service) Each(ctx context.Context, cycleID string, fn func(mentor.Duo) error) error {
	return mentor.EachDuo(ctx, s.store, cycleID, fn)
}
