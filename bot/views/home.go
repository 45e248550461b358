package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/report"
)

// HomePageSize is how many pending sign-ups one page of the committee's Home lists.
const HomePageSize = 20

// HomeDuoPageSize is how many duos one page of the committee's Home lists.
const HomeDuoPageSize = 10

// HomeOpeningMax is how many duos still being set up the committee's Home lists,
// each with a Retry button; it says how many more there are.
const HomeOpeningMax = 5

// CommitteeHome is the committee's part of App Home.
type CommitteeHome struct {
	Counts  mentor.Counts
	Pending []mentor.Participant // this page
	Page    int                  // 0-based
	Total   int                  // all pending sign-ups

	Duos     []mentor.Duo // this page of the cycle's duos
	DuoPage  int          // 0-based
	DuoTotal int          // all duos of the cycle
	// Opening are duos whose set-up has not finished, with Setup.LastError telling
	// where it stopped ("" while in progress).
	Opening      []mentor.Duo
	OpeningTotal int // all duos being set up (Opening may list only the first few)
	OpenConcerns int // concerns waiting for the committee's decision
	// FailingSteps counts Slack steps (posts, nudges, duo openings) whose last
	// attempt failed; each retries by itself until it succeeds.
	FailingSteps int
	// Evaluated says who of the members of Duos has evaluated the cycle (only those
	// who have are in it), for the stage "evaluated". Nil: nobody has.
	Evaluated map[string]bool
	// Funnel is the cycle's funnel (as in the report); nil: not shown.
	Funnel *report.Funnel
}

// HomeInfo is everything App Home shows a person.
type HomeInfo struct {
	Now       time.Time
	NoCycle   bool
	Standing  Standing
	Committee *CommitteeHome // nil for people outside the committee
}

// Home is the App Home tab. It stays under Slack's 100 blocks whatever the size of
// the program: the committee's pending list is paged.
func Home(h HomeInfo) *slack.HomeTabViewRequest {
	blocks := []slack.Block{slack.NewHeaderBlock(plain("Mentorship program"))}
	if h.NoCycle {
		blocks = append(blocks, section("no_cycle", NoCycleMessage(h.Committee != nil).Text))
		if h.Committee != nil {
			blocks = append(blocks, slack.NewActionBlock("committee_actions",
				slack.NewButtonBlockElement(ActionHomeProgram, "open", plain("Open a cycle")).WithStyle(slack.StylePrimary)))
		}
		return homeView(blocks)
	}
	blocks = append(blocks, standingBlocks(h.Standing)...)
	if acts := participantActions(h.Standing); len(acts) > 0 {
		blocks = append(blocks, slack.NewActionBlock("my_actions", acts...))
	}
	if h.Committee != nil {
		blocks = append(blocks, committeeBlocks(h.Now, h.Standing.Cycle, *h.Committee)...)
	}
	return homeView(blocks)
}

func homeView(blocks []slack.Block) *slack.HomeTabViewRequest {
	return &slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

func participantActions(st Standing) []slack.BlockElement {
	var acts []slack.BlockElement
	p := st.Participant
	switch st.Step.Kind {
	case mentor.StepJoin, mentor.StepRejoin:
		acts = append(acts, slack.NewButtonBlockElement(ActionHomeJoin, "join", plain("Sign up")).WithStyle(slack.StylePrimary))
	case mentor.StepWaitForMatch:
		acts = append(acts, slack.NewButtonBlockElement(ActionHomeJoin, "edit", plain("Edit my sign-up")))
	case mentor.StepEvaluate:
		if p != nil && st.Evaluated[p.UserID] {
			acts = append(acts, slack.NewButtonBlockElement(ActionHomeEvaluate, st.Cycle.ID, plain("Change my evaluation")))
		} else {
			acts = append(acts, slack.NewButtonBlockElement(ActionHomeEvaluate, st.Cycle.ID, plain("Evaluate the program")).WithStyle(slack.StylePrimary))
		}
	}
	if p != nil && p.Status != mentor.StatusWithdrawn && st.Step.Kind != mentor.StepNothing {
		acts = append(acts, slack.NewButtonBlockElement(ActionHomeLeave, "leave", plain("Leave the program")))
	}
	if len(acts) > 0 {
		acts = append(acts, slack.NewButtonBlockElement(ActionHomeStatus, "refresh", plain("Refresh")))
	}
	return acts
}

func committeeBlocks(now time.Time, cy mentor.Cycle, c CommitteeHome) []slack.Block {
	n := c.Counts
	blocks := []slack.Block{
		slack.NewDividerBlock(),
		slack.NewHeaderBlock(plain("Committee")),
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{
			mrkdwn(fmt.Sprintf("*Mentees*\n%d (%d waiting, %d matched)", n.Mentees, n.PendingMentees, n.MatchedMentees)),
			mrkdwn(fmt.Sprintf("*Mentors*\n%d (%d without a mentee)", n.Mentors, n.PendingMentors)),
			mrkdwn(fmt.Sprintf("*Free mentor places*\n%d", n.FreeMentorCapacity)),
			mrkdwn(fmt.Sprintf("*Pending sign-ups*\n%d", n.PendingMentees+n.PendingMentors)),
			mrkdwn(fmt.Sprintf("*Matched*\n%d mentees, %d mentors%s", n.MatchedMentees, n.MatchedMentors, completedLine(n))),
			mrkdwn(fmt.Sprintf("*Withdrawn*\n%d", n.Withdrawn)),
			mrkdwn(fmt.Sprintf("*Duos*\n%d (%d being set up)", c.DuoTotal, max(c.OpeningTotal, len(c.Opening)))),
			mrkdwn(fmt.Sprintf("*Open concerns*\n%d", c.OpenConcerns)),
		}, nil, slack.SectionBlockOptionBlockID("counts")),
		slack.NewActionBlock("committee_actions",
			slack.NewButtonBlockElement(ActionHomeMatch, "match", plain("Propose pairs")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionHomeProgram, "edit", plain("Edit the cycle")),
			slack.NewButtonBlockElement(ActionPairSettings, cy.ID, plain("Matching settings")),
			slack.NewButtonBlockElement(ActionHomeForget, "forget", plain("Forget a person…")),
		),
	}
	if c.Funnel != nil {
		blocks = append(blocks, funnelBlock(*c.Funnel))
	}
	if c.OpenConcerns > 0 {
		what := "An open concern waits"
		if c.OpenConcerns > 1 {
			what = fmt.Sprintf("%d open concerns wait", c.OpenConcerns)
		}
		blocks = append(blocks, section(BlockHomeConcerns, ":speech_balloon: "+what+" for a decision in the committee channel."))
	}
	if c.FailingSteps > 0 {
		blocks = append(blocks, contextBlock(BlockHomeFailing, fmt.Sprintf(":hourglass_flowing_sand: %d Slack step(s) failed and will be retried by themselves (messages, reminders, channel set-up). Nothing is lost; this line goes away when they are done.", c.FailingSteps)))
	}
	blocks = append(blocks, openingBlocks(now, cy, c.Opening, max(c.OpeningTotal, len(c.Opening)))...)
	blocks = append(blocks, duoListBlocks(c)...)
	if c.Total == 0 {
		return append(blocks, contextBlock("pending_none", "No pending sign-ups."))
	}
	pages := (c.Total + HomePageSize - 1) / HomePageSize
	from := c.Page*HomePageSize + 1
	to := from + len(c.Pending) - 1
	blocks = append(blocks, section("pending_head", fmt.Sprintf("*Pending sign-ups* (%d–%d of %d)", from, to, c.Total)))
	for i, p := range c.Pending {
		line := fmt.Sprintf("<@%s> · %s · %s · signed up %s", p.UserID, strings.ToLower(p.Role.Label()),
			mentor.LabelOf(mentor.Stages(), string(p.Stage)), ago(now, p.CreatedAt))
		if areas := areaLabels(p); areas != "" {
			line += "\n" + TruncateMrkdwn(areas, 300)
		}
		blocks = append(blocks, contextBlock("pending_"+strconv.Itoa(i), line))
	}
	if pages > 1 {
		var nav []slack.BlockElement
		if c.Page > 0 {
			nav = append(nav, slack.NewButtonBlockElement(ActionHomePrev, strconv.Itoa(c.Page-1), plain("Previous")))
		}
		if c.Page < pages-1 {
			nav = append(nav, slack.NewButtonBlockElement(ActionHomeNext, strconv.Itoa(c.Page+1), plain("Next")))
		}
		blocks = append(blocks, slack.NewActionBlock("pending_nav", nav...),
			contextBlock("pending_pages", fmt.Sprintf("Page %d of %d", c.Page+1, pages)))
	}
	return blocks
}

// ago formats how long ago t was, roughly.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Hour:
		return "just now"
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%d days ago", int(d.Hours()/24))
	}
}

// openingBlocks list duos still being set up, each with where it stopped and a
// Retry button (value cycle|duo).
func openingBlocks(now time.Time, cy mentor.Cycle, opening []mentor.Duo, total int) []slack.Block {
	if len(opening) == 0 {
		return nil
	}
	blocks := []slack.Block{section(BlockHomeOpeningHd, fmt.Sprintf("*Duos still being set up* (%d)", total))}
	for i, d := range opening[:min(len(opening), HomeOpeningMax)] {
		state := "in progress"
		if d.Setup.LastError != "" {
			state = "stopped at: " + SafeText(d.Setup.LastError, 500)
			if !d.Setup.LastErrorAt.IsZero() {
				state += " (" + ago(now, d.Setup.LastErrorAt) + ")"
			}
		}
		text := fmt.Sprintf("<@%s> → <@%s> · approved %s · %s", d.MenteeID, d.MentorID, ago(now, d.CreatedAt), state)
		btn := slack.NewButtonBlockElement(ActionDuoRetry, pipe(cy.ID, d.ID), plain("Retry"))
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(TruncateMrkdwn(text, 3000)), nil, slack.NewAccessory(btn),
			slack.SectionBlockOptionBlockID(BlockHomeOpening+strconv.Itoa(i))))
	}
	if more := total - min(len(opening), HomeOpeningMax); more > 0 {
		blocks = append(blocks, contextBlock(BlockHomeOpeningMore, fmt.Sprintf("…and %d more. They are listed here as these finish.", more)))
	}
	return blocks
}

// duoListBlocks are one page of the cycle's duos: mentee → mentor, channel, stage and
// the date of the last milestone, with Previous / Next buttons (value: page).
func duoListBlocks(c CommitteeHome) []slack.Block {
	if c.DuoTotal == 0 {
		return []slack.Block{contextBlock(BlockHomeDuosNone, "No duos yet.")}
	}
	pages := (c.DuoTotal + HomeDuoPageSize - 1) / HomeDuoPageSize
	from := c.DuoPage*HomeDuoPageSize + 1
	to := from + len(c.Duos) - 1
	head := fmt.Sprintf("*Duos* (%d–%d of %d)", from, to, c.DuoTotal)
	if to < from {
		head = fmt.Sprintf("*Duos* (%d; none on this page)", c.DuoTotal)
	}
	blocks := []slack.Block{section(BlockHomeDuosHead, head)}
	for i, d := range c.Duos[:min(len(c.Duos), HomeDuoPageSize)] {
		stage, at := lastMilestone(d, bothEvaluated(d, c.Evaluated))
		line := fmt.Sprintf("<@%s> → <@%s> · %s · *%s*", d.MenteeID, d.MentorID, channelRef(&d), mentor.StageLabel(stage))
		if !at.IsZero() {
			line += " since " + mentor.FormatDate(at)
		}
		blocks = append(blocks, contextBlock(BlockHomeDuo+strconv.Itoa(i), line))
	}
	if pages > 1 {
		var nav []slack.BlockElement
		if c.DuoPage > 0 {
			nav = append(nav, slack.NewButtonBlockElement(ActionHomeDuoPrev, strconv.Itoa(c.DuoPage-1), plain("Previous duos")))
		}
		if c.DuoPage < pages-1 {
			nav = append(nav, slack.NewButtonBlockElement(ActionHomeDuoNext, strconv.Itoa(c.DuoPage+1), plain("Next duos")))
		}
		if len(nav) > 0 {
			blocks = append(blocks, slack.NewActionBlock(BlockHomeDuosNav, nav...))
		}
		blocks = append(blocks, contextBlock(BlockHomeDuosPages, fmt.Sprintf("Duos page %d of %d", c.DuoPage+1, pages)))
	}
	return blocks
}

// lastMilestone is the stage d reached last and the latest date among its
// milestones; no date for "evaluated", which has none of its own.
func lastMilestone(d mentor.Duo, evaluated bool) (mentor.DuoStage, time.Time) {
	ms := d.Milestones(evaluated)
	if last := ms[len(ms)-1].Stage; last == mentor.StageEvaluated {
		return last, time.Time{}
	}
	var at time.Time
	for i := len(ms) - 1; i >= 0; i-- {
		if !ms[i].At.IsZero() {
			at = ms[i].At
			break
		}
	}
	return ms[len(ms)-1].Stage, at
}

// completedLine adds, once the cycle has closed duos, how many people completed it.
func completedLine(n mentor.Counts) string {
	if n.CompletedMentees+n.CompletedMentors == 0 {
		return ""
	}
	return fmt.Sprintf("\n%d mentees, %d mentors completed the cycle", n.CompletedMentees, n.CompletedMentors)
}
