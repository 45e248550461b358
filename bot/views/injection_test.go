package views_test

import (
	"strings"
	"testing"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/matching"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/pairing"
)

// payload pings the channel, mentions someone and disguises a link, if echoed raw.
const payload = "<!channel> <@U123> & <https://evil|x>"

// forged are what must never reach Slack raw (case-insensitive: the scorer
// lower-cases areas it quotes in reasons).
var forged = []string{"<!channel>", "<@u123>", "<https://evil"}

// hostile is a sign-up with the payload in every field a person types.
func hostile(role mentor.Role) mentor.Participant {
	p := menteeSignup()
	if role == mentor.RoleMentor {
		p = mentorSignup()
	}
	p.Name, p.OtherAreas, p.Needs, p.Offer, p.CVURL = payload, payload, payload, payload, payload
	p.Areas = append(p.Areas, "other")
	return p
}

// mustNotForge fails if any string of the JSON, once decoded, holds a forged
// mention or link; and unless the payload is shown, escaped, somewhere.
func mustNotForge(t *testing.T, d doc) {
	t.Helper()
	for _, s := range d.strings() {
		for _, f := range forged {
			if strings.Contains(strings.ToLower(s), f) {
				t.Fatalf("raw %q reaches Slack in %q", f, s)
			}
		}
	}
	mustContain(t, strings.ToLower(d.text()), "&lt;!channel&gt; &lt;@u123&gt; &amp; &lt;https://evil|x&gt;")
}

func TestTypedTextCannotPingOrForgeInStatus(t *testing.T) {
	c := cycle()
	for _, role := range []mentor.Role{mentor.RoleMentee, mentor.RoleMentor} {
		p := hostile(role)
		st := views.Standing{Cycle: c, Participant: &p, Step: mentor.NextStep(c, &p, nil, now)}
		mustNotForge(t, mustValidMessage(t, views.StatusMessage(st)))
		mustNotForge(t, mustValidView(t, views.Home(views.HomeInfo{Now: now, Standing: st})))
	}
}

func TestTypedTextCannotPingOrForgeInTheCommitteeHome(t *testing.T) {
	pending := []mentor.Participant{hostile(mentor.RoleMentee), hostile(mentor.RoleMentor)}
	pending[1].UserID = "U0OTHER"
	h := views.HomeInfo{
		Now:      now,
		Standing: views.Standing{Cycle: cycle(), Step: mentor.Step{Kind: mentor.StepJoin}},
		Committee: &views.CommitteeHome{
			Counts: mentor.Counts{Mentees: 1, Mentors: 1, PendingMentees: 1, PendingMentors: 1}, Pending: pending, Total: 2,
		},
	}
	mustNotForge(t, mustValidView(t, views.Home(h)))
}

func TestTypedTextCannotPingOrForgeInPairingReasons(t *testing.T) {
	// The reasons come from the scorer, which quotes shared areas and words as typed.
	mentee, mentr := hostile(mentor.RoleMentee), hostile(mentor.RoleMentor)
	person := func(p mentor.Participant, id string) matching.Person {
		return matching.Person{ID: id, Name: p.Name, Areas: []string{p.OtherAreas}, Text: p.Needs + p.Offer,
			Methods: p.Methods, Frequency: p.Frequency, Capacity: 1}
	}
	sc := matching.ScorePair(person(mentee, "U0ADA"), person(mentr, "U0GRACE"), matching.DefaultWeights())
	if !strings.Contains(strings.ToLower(sc.Text()), "<!channel>") {
		t.Fatalf("reasons %q do not quote the payload; the test would prove nothing", sc.Text())
	}
	r := mentor.PairingRound{ID: "round-x", CycleID: "c2026", Mentees: 2, Mentors: 1, Proposals: []mentor.Proposal{
		{MenteeID: "U0ADA", MentorID: "U0GRACE", Score: sc.Points, Reasons: sc.Text(), State: mentor.ProposalOpen},
		{MenteeID: "U0BEN", Reasons: payload, State: mentor.ProposalOpen},
	}}
	alts := map[string][]pairing.Alternative{"U0BEN": {{MentorID: "U0GRACE", Reasons: sc.Text(), Score: sc.Points, Free: 1}}}
	// Display names go into select options, which are plain_text: Slack shows them as
	// typed and parses nothing there. Names are kept plain here so the check below
	// can cover every string of the view.
	names := map[string]string{"U0GRACE": "Grace Hopper"}
	mustNotForge(t, mustValidView(t, views.PairingPage(cycle(), r, 0, names, alts)))
}

// Everything Slack parses (mrkdwn) is escaped, whichever builder shows a cycle name
// or a typed value.
func TestTypedTextInEveryMrkdwnBuilderIsEscaped(t *testing.T) {
	c := cycle()
	c.Name = payload
	p := hostile(mentor.RoleMentee)
	d := openedDuo()
	d.Setup.LastError = payload
	docs := map[string]doc{
		"join":          mustValidView(t, views.JoinModal(c, p, false)),
		"join, edit":    mustValidView(t, views.JoinModal(c, p, true)),
		"program, edit": mustValidView(t, views.ProgramModal(c, 2)),
		"loading":       mustValidView(t, views.PairingLoading(c)),
		"pairing":       mustValidView(t, views.PairingPage(c, mentor.PairingRound{ID: "r"}, 0, nil, nil)),
		"welcome":       mustValidMessage(t, views.DuoWelcome(c, d)),
		"told mentee":   mustValidMessage(t, views.DuoTold(c, d, d.MenteeID)),
		"told mentor":   mustValidMessage(t, views.DuoTold(c, d, d.MentorID)),
		"setup failed":  mustValidMessage(t, views.DuoSetupFailed(c, d)),
		"left":          mustValidMessage(t, views.LeftMessage(c)),
		"joined":        mustValidMessage(t, views.Joined(c, p, false)),
		"help":          mustValidMessage(t, views.Help(nil, payload)),
	}
	for name, doc := range docs {
		for _, s := range doc.mrkdwn() {
			for _, f := range forged {
				if strings.Contains(strings.ToLower(s), f) {
					t.Errorf("%s: raw %q in mrkdwn %q", name, f, s)
				}
			}
		}
	}
}
