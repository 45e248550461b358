package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// HomePageSize is how many pending sign-ups one page of the committee's Home lists.
const HomePageSize = 20

// CommitteeHome is the committee's part of App Home.
type CommitteeHome struct {
	Counts  mentor.Counts
	Pending []mentor.Participant // this page
	Page    int                  // 0-based
	Total   int                  // all pending sign-ups
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
		blocks = append(blocks, committeeBlocks(h.Now, *h.Committee)...)
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
	}
	if p != nil && p.Status != mentor.StatusWithdrawn && st.Step.Kind != mentor.StepNothing {
		acts = append(acts, slack.NewButtonBlockElement(ActionHomeLeave, "leave", plain("Leave the program")))
	}
	if len(acts) > 0 {
		acts = append(acts, slack.NewButtonBlockElement(ActionHomeStatus, "refresh", plain("Refresh")))
	}
	return acts
}

func committeeBlocks(now time.Time, c CommitteeHome) []slack.Block {
	n := c.Counts
	blocks := []slack.Block{
		slack.NewDividerBlock(),
		slack.NewHeaderBlock(plain("Committee")),
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{
			mrkdwn(fmt.Sprintf("*Mentees*\n%d (%d waiting, %d matched)", n.Mentees, n.PendingMentees, n.MatchedMentees)),
			mrkdwn(fmt.Sprintf("*Mentors*\n%d (%d without a mentee)", n.Mentors, n.PendingMentors)),
			mrkdwn(fmt.Sprintf("*Free mentor places*\n%d", n.FreeMentorCapacity)),
			mrkdwn(fmt.Sprintf("*Pending sign-ups*\n%d", n.PendingMentees+n.PendingMentors)),
			mrkdwn(fmt.Sprintf("*Matched*\n%d mentees, %d mentors", n.MatchedMentees, n.MatchedMentors)),
			mrkdwn(fmt.Sprintf("*Withdrawn*\n%d", n.Withdrawn)),
		}, nil, slack.SectionBlockOptionBlockID("counts")),
		slack.NewActionBlock("committee_actions",
			slack.NewButtonBlockElement(ActionHomeMatch, "match", plain("Propose pairs")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement(ActionHomeProgram, "edit", plain("Edit the cycle")),
		),
	}
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
