package mentor

import "time"

// Duo is an approved mentor–mentee pair in a cycle.
type Duo struct {
	ID         string
	CycleID    string
	MentorID   string
	MenteeID   string
	Score      int
	Reasons    string
	ApprovedBy string
	CreatedAt  time.Time
	// ChannelID and ChannelName are the duo's private channel, once created.
	ChannelID   string
	ChannelName string
	// Setup records which steps of opening the duo are done, so a retry after a Slack
	// failure finishes the job without repeating a step.
	Setup DuoSetup
	// Checklist holds the ticked responsibilities, by item id.
	Checklist map[string]bool

	// Activity is when each member wrote in the duo channel (from message events;
	// the bot never stores what they wrote).
	Activity DuoActivity
	// Agreement summarises the duo agreement: its current version and whether both
	// signed it.
	Agreement AgreementStatus
	// EndedAt is set when the committee dissolved the duo; EndedBy is who did.
	EndedAt time.Time
	EndedBy string
	// Close is the duo's close-out at the end of the cycle.
	Close DuoClose
}

// CloseChoice is what a duo chose at the close of the cycle.
type CloseChoice string

const (
	CloseUndecided CloseChoice = ""         // nobody chose: the channel stays
	CloseContinue  CloseChoice = "continue" // go on without the bot: the channel stays
	CloseArchive   CloseChoice = "close"    // archive the channel after the grace period
)

// DuoClose is the close-out of a duo at the end of its cycle: when it was closed,
// the close-out message, and what the duo chose.
type DuoClose struct {
	ClosedAt   time.Time // zero while the cycle runs
	PostTS     string    // the close-out message in the duo channel
	Choice     CloseChoice
	ChosenBy   string
	ChosenAt   time.Time
	ArchivedAt time.Time // when the channel was archived as chosen
}

// Closed reports whether the duo was closed at the end of its cycle.
func (d Duo) Closed() bool { return !d.Close.ClosedAt.IsZero() }

// ArchiveAt is when a duo that chose to close has its channel archived: the grace
// period of cycle c after the choice; zero unless it chose to close.
func (d Duo) ArchiveAt(c Cycle) time.Time {
	if d.Close.Choice != CloseArchive {
		return time.Time{}
	}
	return d.Close.ChosenAt.AddDate(0, 0, c.Reminders.CloseGraceDays)
}

// DuoActivity is when each member of a duo first and last wrote in its channel.
type DuoActivity struct {
	MentorFirst, MentorLast time.Time
	MenteeFirst, MenteeLast time.Time
}

// FirstContact is when either member first wrote; zero if nobody has.
func (a DuoActivity) FirstContact() time.Time { return earliest(a.MentorFirst, a.MenteeFirst) }

// Last is when either member last wrote; zero if nobody has.
func (a DuoActivity) Last() time.Time {
	if a.MentorLast.After(a.MenteeLast) {
		return a.MentorLast
	}
	return a.MenteeLast
}

func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}

// AgreementStatus is where a duo's agreement stands.
type AgreementStatus struct {
	Version   int       // current version; 0: none yet
	DraftedAt time.Time // when the first version was submitted
	UpdatedAt time.Time // when the current version was submitted
	SignedAt  time.Time // when both had signed the current version; zero until then
	Frequency string    // the agreed frequency of the current version
}

// Signed reports whether both members signed the current version.
func (s AgreementStatus) Signed() bool { return s.Version > 0 && !s.SignedAt.IsZero() }

// Ended reports whether the duo was dissolved.
func (d Duo) Ended() bool { return !d.EndedAt.IsZero() }

// KeepInTouchInterval is how long the duo may stay quiet: the frequency both signed
// in their agreement, or the program's default (monthly) while none is signed.
func (d Duo) KeepInTouchInterval() time.Duration {
	if !d.Agreement.Signed() {
		return FrequencyInterval("")
	}
	return FrequencyInterval(d.Agreement.Frequency)
}

// OpenedAt is when the duo's channel was ready (its setup finished); zero while
// opening.
func (d Duo) OpenedAt() time.Time {
	if !d.Setup.Done() {
		return time.Time{}
	}
	if d.Setup.CompletedAt.IsZero() {
		return d.CreatedAt
	}
	return d.Setup.CompletedAt
}

// Stage is how far the duo has come. evaluated reports whether both members have
// evaluated the program.
func (d Duo) Stage(evaluated bool) DuoStage {
	ms := d.Milestones(evaluated)
	return ms[len(ms)-1].Stage
}

// Milestones lists the stages the duo reached, in order, with their dates: opening
// (the approval), channel open, first contact, agreement drafted, agreement signed,
// evaluated, and ended when dissolved.
func (d Duo) Milestones(evaluated bool) []Milestone {
	ms := []Milestone{{StageOpening, d.CreatedAt}}
	if t := d.OpenedAt(); !t.IsZero() {
		ms = append(ms, Milestone{StageChannelOpen, t})
	}
	if t := d.Activity.FirstContact(); !t.IsZero() {
		ms = append(ms, Milestone{StageFirstContact, t})
	}
	if d.Agreement.Version > 0 {
		ms = append(ms, Milestone{StageAgreementDraft, d.Agreement.DraftedAt})
	}
	if d.Agreement.Signed() {
		ms = append(ms, Milestone{StageAgreementSigned, d.Agreement.SignedAt})
	}
	if evaluated {
		ms = append(ms, Milestone{StageEvaluated, time.Time{}})
	}
	if d.Closed() {
		ms = append(ms, Milestone{StageClosed, d.Close.ClosedAt})
	}
	if d.Ended() {
		ms = append(ms, Milestone{StageEnded, d.EndedAt})
	}
	return ms
}

// DuoSetup is the progress of opening a duo in Slack, one flag a step, in order.
type DuoSetup struct {
	ChannelCreated    bool
	Invited           bool
	WelcomePosted     bool
	WelcomeTS         string
	MentorTold        bool
	MenteeTold        bool
	CommitteeTold     bool
	LastError         string // the step that failed last, for the committee; "" when fine
	LastErrorAt       time.Time
	CompletedAt       time.Time
	ChannelNameSuffix int    // 0, or the number appended after a name_taken
	IntendedName      string // the name about to be created (recorded before the call)
}

// Done reports whether every setup step is finished.
func (s DuoSetup) Done() bool {
	return s.ChannelCreated && s.Invited && s.WelcomePosted && s.MentorTold && s.MenteeTold && s.CommitteeTold
}

// Partner returns the other member of the duo.
func (d Duo) Partner(userID string) string {
	if userID == d.MentorID {
		return d.MenteeID
	}
	return d.MentorID
}

// Has reports whether userID is a member of the duo.
func (d Duo) Has(userID string) bool { return userID == d.MentorID || userID == d.MenteeID }

// ProposalState is where a proposed pair stands in a pairing round.
type ProposalState string

const (
	ProposalOpen     ProposalState = "open"
	ProposalApproved ProposalState = "approved"
	ProposalSkipped  ProposalState = "skipped"
	ProposalFailed   ProposalState = "failed" // approval refused; Note says why
)

// Proposal is one proposed pair: the optimiser's choice, or the committee's
// replacement mentor.
type Proposal struct {
	MenteeID  string
	MentorID  string // "" when no mentor is possible for this mentee
	Score     int
	Reasons   string
	State     ProposalState
	DuoID     string // once approved
	Note      string // why an approval failed, for the committee
	DecidedBy string
	// Pinned: the committee chose this mentor, or both asked to continue; the
	// rest of the round is optimised around it and it does not change by itself.
	Pinned   bool `json:",omitempty"`
	Continue bool `json:",omitempty"` // both asked to continue from last cycle
	// Warning says why this proposal deserves a deliberate look (a negative score,
	// kept only to match one more mentee); "approve all" leaves it alone.
	Warning string `json:",omitempty"`
	// Was is the mentor this proposal had before the last re-optimisation changed
	// it ("-" when it had none), and WasScore that pair's score; "" when the last
	// re-optimisation did not change it.
	Was      string `json:",omitempty"`
	WasScore int    `json:",omitempty"`
}

// PairingRound is one run of "propose pairs": the proposals the committee works
// through, page by page. It lives in storage so any replica can serve any click.
type PairingRound struct {
	ID        string
	CycleID   string
	CreatedBy string
	CreatedAt time.Time
	Proposals []Proposal // mentees with a proposed mentor first, then those without
	Mentees   int        // pending mentees considered
	Mentors   int        // mentors with a free place considered
	// FinishedAt and FinishedBy are set when a committee member finished the round:
	// the people it left without a partner are told then, once.
	FinishedAt time.Time `json:",omitzero"`
	FinishedBy string    `json:",omitempty"`
	// Changed says what the last re-optimisation around the committee's choices
	// did, e.g. "Re-optimised around your choice: 2 proposals changed."
	Changed string `json:",omitempty"`
	// Steering is the cycle's matching settings when they differ from the
	// defaults, in words, e.g. "areas high · must-haves: at most 3 h apart".
	Steering string `json:",omitempty"`
}

// Finished reports whether the committee finished the round.
func (r PairingRound) Finished() bool { return !r.FinishedAt.IsZero() }
