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
	ChannelNameSuffix int // 0, or the number appended after a name_taken
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
}
