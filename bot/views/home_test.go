package views_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// pendingPeople returns n pending sign-ups, mentees then mentors, each with the
// longest other areas a sign-up may have.
func pendingPeople(n int) []mentor.Participant {
	out := make([]mentor.Participant, n)
	for i := range out {
		p := menteeSignup()
		if i%3 == 2 {
			p = mentorSignup()
		}
		p.UserID = fmt.Sprintf("U%08d", i)
		p.Areas = []string{"experience", "grants", "career", "research", "resume", "development", "self-assessment", "web-page", "organizations", "other"}
		p.OtherAreas = strings.Repeat("&<>", mentor.MaxOtherAreasLen/3)
		p.CreatedAt = now.Add(-time.Duration(i) * time.Hour)
		out[i] = p
	}
	return out
}

// committeeHome is page `page` of a committee member's Home with total pending.
func committeeHome(total, page int) views.HomeInfo {
	all := pendingPeople(total)
	from := min(page*views.HomePageSize, total)
	to := min(from+views.HomePageSize, total)
	return views.HomeInfo{
		Now:      now,
		Standing: views.Standing{Cycle: cycle(), Step: mentor.Step{Kind: mentor.StepJoin}},
		Committee: &views.CommitteeHome{
			Counts:  mentor.Counts{Mentees: total, Mentors: 3, PendingMentees: total, PendingMentors: 0, FreeMentorCapacity: 4},
			Pending: all[from:to], Page: page, Total: total,
		},
	}
}

func countPending(d doc) int {
	n := 0
	for _, id := range d.blockIDs() {
		if strings.HasPrefix(id, "pending_") && id != "pending_head" && id != "pending_nav" && id != "pending_pages" && id != "pending_none" {
			n++
		}
	}
	return n
}

func TestHomeWithoutACycle(t *testing.T) {
	member := mustValidView(t, views.Home(views.HomeInfo{Now: now, NoCycle: true}))
	if member.has("committee_actions") {
		t.Error("someone outside the committee is offered to open a cycle")
	}
	mustContain(t, member.text(), "no open cycle")

	committee := mustValidView(t, views.Home(views.HomeInfo{Now: now, NoCycle: true, Committee: &views.CommitteeHome{}}))
	acts := committee.block(t, "committee_actions")
	if ids := actionIDs(acts); len(ids) != 1 || ids[0] != views.ActionHomeProgram {
		t.Fatalf("committee actions = %v, want the button to open a cycle", ids)
	}
	mustContain(t, committee.text(), "/mentorship program")
}

func TestHomeOfAParticipant(t *testing.T) {
	c := cycle()
	created := now.AddDate(0, 0, -2)
	tests := []struct {
		name        string
		p           *mentor.Participant
		duos        []mentor.Duo
		wantActions []string
		wantText    string
	}{
		{"not signed up", nil, nil, []string{views.ActionHomeJoin, views.ActionHomeStatus}, "haven't signed up"},
		{"waiting for a match", func() *mentor.Participant { p := menteeSignup(); return &p }(), nil,
			[]string{views.ActionHomeJoin, views.ActionHomeLeave, views.ActionHomeStatus}, "waiting for a mentor"},
		{"matched mentee", func() *mentor.Participant {
			p := menteeSignup()
			p.Status, p.Duos = mentor.StatusMatched, []string{"d1"}
			return &p
		}(), []mentor.Duo{{ID: "d1", MenteeID: "U0ADA", MentorID: "U0GRACE", ChannelID: "C0DUO", CreatedAt: created}},
			[]string{views.ActionHomeLeave, views.ActionHomeStatus}, "Make initial contact with your mentor in <#C0DUO>"},
		{"left", func() *mentor.Participant {
			p := menteeSignup()
			p.Status, p.WithdrawnAt = mentor.StatusWithdrawn, now
			return &p
		}(), nil, []string{views.ActionHomeJoin, views.ActionHomeStatus}, "left the program on"},
		{"left a duo", func() *mentor.Participant {
			p := menteeSignup()
			p.Status, p.WithdrawnAt, p.Duos = mentor.StatusWithdrawn, now, []string{"d1"}
			return &p
		}(), []mentor.Duo{{ID: "d1", MenteeID: "U0ADA", MentorID: "U0GRACE", ChannelID: "C0DUO", CreatedAt: created}},
			nil, "The committee will follow up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := views.Standing{Cycle: c, Participant: tt.p, Duos: tt.duos, Step: mentor.NextStep(c, tt.p, tt.duos, now)}
			d := mustValidView(t, views.Home(views.HomeInfo{Now: now, Standing: st}))
			switch {
			case tt.wantActions == nil && d.has("my_actions"):
				t.Errorf("actions = %v, want none", actionIDs(d.block(t, "my_actions")))
			case tt.wantActions != nil:
				if got := actionIDs(d.block(t, "my_actions")); strings.Join(got, " ") != strings.Join(tt.wantActions, " ") {
					t.Errorf("actions = %v, want %v", got, tt.wantActions)
				}
			}
			if d.has("counts") || d.has("pending_head") {
				t.Error("a participant sees the committee's part")
			}
			mustContain(t, d.text(), tt.wantText)
			mustContain(t, d.text(), "2026–2027")
		})
	}
}

func TestHomeAfterTheCycleHasNoButtons(t *testing.T) {
	c := cycle()
	p := menteeSignup()
	after := c.End.AddDate(0, 0, 1)
	st := views.Standing{Cycle: c, Participant: &p, Step: mentor.NextStep(c, &p, nil, after)}
	d := mustValidView(t, views.Home(views.HomeInfo{Now: after, Standing: st}))
	if d.has("my_actions") {
		t.Fatalf("actions after the cycle: %v", actionIDs(d.block(t, "my_actions")))
	}
	mustContain(t, d.text(), "this cycle is over")
}

func TestHomeOfTheCommittee(t *testing.T) {
	tests := []struct {
		name        string
		total, page int
		listed      int
		wantNav     []string
		wantRange   string
		wantPages   string
	}{
		{"nobody pending", 0, 0, 0, nil, "", ""},
		{"one full page", 20, 0, 20, nil, "(1–20 of 20)", ""},
		{"21: first page", 21, 0, 20, []string{views.ActionHomeNext}, "(1–20 of 21)", "Page 1 of 2"},
		{"21: last page", 21, 1, 1, []string{views.ActionHomePrev}, "(21–21 of 21)", "Page 2 of 2"},
		{"500: first page", 500, 0, 20, []string{views.ActionHomeNext}, "(1–20 of 500)", "Page 1 of 25"},
		{"500: a middle page", 500, 12, 20, []string{views.ActionHomePrev, views.ActionHomeNext}, "(241–260 of 500)", "Page 13 of 25"},
		{"500: last page", 500, 24, 20, []string{views.ActionHomePrev}, "(481–500 of 500)", "Page 25 of 25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := committeeHome(tt.total, tt.page)
			v := views.Home(h)
			d := mustValidView(t, v)
			if n := len(v.Blocks.BlockSet); n > 100 {
				t.Fatalf("%d blocks, Slack takes 100", n)
			}
			if ids := actionIDs(d.block(t, "committee_actions")); strings.Join(ids, " ") != views.ActionHomeMatch+" "+views.ActionHomeProgram+" "+views.ActionPairSettings+" "+views.ActionHomeForget {
				t.Errorf("committee actions = %v", ids)
			}
			mustContain(t, d.text(), fmt.Sprintf("*Pending sign-ups*\n%d", tt.total))
			if got := countPending(d); got != tt.listed {
				t.Fatalf("%d pending sign-ups listed, want %d", got, tt.listed)
			}
			if tt.total == 0 {
				if !d.has("pending_none") || d.has("pending_head") {
					t.Fatalf("blocks = %v, want the 'no pending sign-ups' line", d.blockIDs())
				}
				return
			}
			mustContain(t, textOf(d.block(t, "pending_head"), "text"), tt.wantRange)
			first := h.Committee.Pending[0]
			mustContain(t, d.text(), "<@"+first.UserID+">")
			if tt.wantNav == nil {
				if d.has("pending_nav") || d.has("pending_pages") {
					t.Errorf("one page has page navigation: %v", d.blockIDs())
				}
				return
			}
			nav := d.block(t, "pending_nav")
			if got := actionIDs(nav); strings.Join(got, " ") != strings.Join(tt.wantNav, " ") {
				t.Errorf("navigation = %v, want %v", got, tt.wantNav)
			}
			for _, id := range actionIDs(nav) {
				want := map[string]int{views.ActionHomePrev: tt.page - 1, views.ActionHomeNext: tt.page + 1}[id]
				if v := element(t, nav, id)["value"]; v != fmt.Sprint(want) {
					t.Errorf("%s goes to page %v, want %d", id, v, want)
				}
			}
			mustContain(t, d.text(), tt.wantPages)
		})
	}
}

func TestHomeOfACommitteeMemberWhoIsAlsoAMentor(t *testing.T) {
	c := cycle()
	p := mentorSignup()
	p.Status, p.Duos = mentor.StatusMatched, []string{"d1", "d2"}
	duos := []mentor.Duo{
		{ID: "d1", MentorID: p.UserID, MenteeID: "U0ADA", ChannelID: "C0ONE", CreatedAt: now, Checklist: map[string]bool{"mentor.welcome": true}},
		{ID: "d2", MentorID: p.UserID, MenteeID: "U0BEN", ChannelID: "C0TWO", CreatedAt: now},
	}
	h := committeeHome(500, 3)
	h.Standing = views.Standing{Cycle: c, Participant: &p, Duos: duos, Step: mentor.NextStep(c, &p, duos, now)}
	d := mustValidView(t, views.Home(h))
	mustContain(t, d.text(), "Send a welcome message to your mentee in <#C0TWO>")
	mustContain(t, d.text(), "Your mentee: <@U0BEN>")
	if countPending(d) != 20 {
		t.Errorf("%d pending listed", countPending(d))
	}
}
