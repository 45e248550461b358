package views

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/pairing"
)

// PairPageSize is how many proposals one page of the pairing modal shows: two blocks
// each keeps a page far under Slack's 100 blocks and its selects under 250 KB.
const PairPageSize = 10

// MaxAlternatives caps the "choose another mentor" select (Slack allows 100).
const MaxAlternatives = 50

// PairingMeta travels in the pairing modal's private_metadata.
type PairingMeta struct {
	CycleID string `json:"cycle"`
	RoundID string `json:"round"`
	Page    int    `json:"page"`
}

// ParsePairingMeta reads the pairing modal's metadata.
func ParsePairingMeta(s string) (PairingMeta, error) {
	var m PairingMeta
	if err := json.Unmarshal([]byte(s), &m); err != nil || m.RoundID == "" {
		return m, mentor.Errorf(mentor.EINVALID, "This pairing window is out of date. Run `/mentorship match` again.")
	}
	return m, nil
}

// PairingLoading is shown at once while proposals are computed (the trigger to open
// a modal dies after 3 seconds).
func PairingLoading(c mentor.Cycle) *slack.ModalViewRequest {
	return &slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: CallbackPairing,
		Title:      plain("Propose pairs"),
		Close:      plain("Close"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section("loading", fmt.Sprintf(":hourglass_flowing_sand: Computing the best pairs for *%s*…", SafeText(c.Name, 80))),
		}},
	}
}

// PairingPage is one page of a round's proposals. names maps user ids to display
// names (for select options, which are plain text); alts are the other mentors
// each mentee on the page could have.
func PairingPage(c mentor.Cycle, r mentor.PairingRound, page int, names map[string]string, alts map[string][]pairing.Alternative) *slack.ModalViewRequest {
	return PairingPageWith(c, r, page, names, alts, nil)
}

// PairingPageWith is PairingPage showing how far the approved duos' opening has come:
// duos maps the duo id of approved proposals to the duo as stored (nil: not shown).
func PairingPageWith(c mentor.Cycle, r mentor.PairingRound, page int, names map[string]string, alts map[string][]pairing.Alternative, duos map[string]mentor.Duo) *slack.ModalViewRequest {
	pages := max(1, (len(r.Proposals)+PairPageSize-1)/PairPageSize)
	page = min(max(page, 0), pages-1)
	meta, _ := json.Marshal(PairingMeta{CycleID: c.ID, RoundID: r.ID, Page: page})

	approved, open := 0, 0
	for _, p := range r.Proposals {
		switch p.State {
		case mentor.ProposalApproved:
			approved++
		case mentor.ProposalOpen, mentor.ProposalFailed:
			open++
		}
	}
	summary := fmt.Sprintf("*%s* · %d pending mentees, %d mentors with a free place.\n%d proposed pairs: %d approved, %d to decide.",
		SafeText(c.Name, 80), r.Mentees, r.Mentors, len(r.Proposals), approved, open)
	if len(r.Proposals) == 0 {
		summary = fmt.Sprintf("*%s* · nobody is waiting for a mentor right now.", SafeText(c.Name, 80))
	}
	if r.Steering != "" {
		summary += "\nMatching settings: " + SafeText(r.Steering, 600)
	}
	if r.Changed != "" {
		summary += "\n:arrows_counterclockwise: " + r.Changed
	}
	if duos != nil && approved > 0 {
		opened := 0
		for _, d := range duos {
			if d.Setup.Done() {
				opened++
			}
		}
		summary += fmt.Sprintf("\nDuo channels open: *%d of %d* approved", opened, approved)
		if opened < approved {
			summary += " (the rest are being set up, paced to Slack's limits; press Refresh to see progress)"
		}
		summary += "."
	}
	if r.Finished() {
		summary += fmt.Sprintf("\n:checkered_flag: Round finished by <@%s> on %s: everyone it left without a partner is told, kindly, that they stay in the pool.",
			r.FinishedBy, mentor.FormatDate(r.FinishedAt))
	}
	blocks := []slack.Block{section("summary", summary)}

	from := page * PairPageSize
	to := min(from+PairPageSize, len(r.Proposals))
	pageOpen := false
	for i := from; i < to; i++ {
		p := r.Proposals[i]
		text := proposalText(p)
		if d, ok := duos[p.DuoID]; ok && p.State == mentor.ProposalApproved {
			if d.Setup.Done() {
				text += " · open in <#" + d.ChannelID + ">"
			} else {
				text += " · :hourglass_flowing_sand: channel being set up"
			}
		}
		blocks = append(blocks, section("p"+strconv.Itoa(i), text))
		if p.State == mentor.ProposalApproved {
			continue
		}
		var acts []slack.BlockElement
		if p.MentorID != "" {
			pageOpen = pageOpen || (p.State == mentor.ProposalOpen && p.Warning == "")
			acts = append(acts, slack.NewButtonBlockElement(ActionPairApprove, strconv.Itoa(i), plain("Approve")).WithStyle(slack.StylePrimary))
		}
		if sel := alternativesSelect(p, names, alts[p.MenteeID]); sel != nil {
			acts = append(acts, sel)
		}
		if p.State != mentor.ProposalSkipped && p.MentorID != "" {
			acts = append(acts, slack.NewButtonBlockElement(ActionPairSkip, strconv.Itoa(i), plain("Skip")))
		}
		if len(acts) > 0 {
			blocks = append(blocks, slack.NewActionBlock("a"+strconv.Itoa(i), acts...))
		}
	}
	var nav []slack.BlockElement
	if page > 0 {
		nav = append(nav, slack.NewButtonBlockElement(ActionPairPrev, strconv.Itoa(page-1), plain("Previous")))
	}
	if page < pages-1 {
		nav = append(nav, slack.NewButtonBlockElement(ActionPairNext, strconv.Itoa(page+1), plain("Next")))
	}
	if pageOpen {
		// Skipped, refused and warned proposals are left out: they need a decision
		// each.
		nav = append(nav, slack.NewButtonBlockElement(ActionPairApproveAll, strconv.Itoa(page), plain("Approve all open on this page")))
	}

	if duos != nil && approved > 0 {
		nav = append(nav, slack.NewButtonBlockElement(ActionPairRefresh, strconv.Itoa(page), plain("Refresh")))
	}
	if len(nav) > 0 {
		blocks = append(blocks, slack.NewActionBlock("nav", nav...))
	}
	blocks = append(blocks, slack.NewActionBlock(BlockPairSettings,
		slack.NewButtonBlockElement(ActionPairSettings, c.ID, plain("Matching settings"))))
	if !r.Finished() && (len(r.Proposals) > 0 || r.Mentors > 0) {
		blocks = append(blocks, slack.NewActionBlock(BlockPairFinish, finishRoundButton(page)))
	}
	if len(r.Proposals) > 0 {
		blocks = append(blocks, contextBlock("pages", fmt.Sprintf("Page %d of %d · proposals %d–%d · \"Approve all\" leaves skipped and :warning: proposals for a click of their own", page+1, pages, from+1, to)))
	}
	return &slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackPairing,
		Title:           plain("Propose pairs"),
		Close:           plain("Done"),
		PrivateMetadata: string(meta),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// proposalText describes one proposal: who with whom, score, reasons, how it came
// to be (the committee's choice, continuing, changed by a re-optimisation), its
// warning and its outcome.
func proposalText(p mentor.Proposal) string {
	var b strings.Builder
	if p.MentorID == "" {
		fmt.Fprintf(&b, "*<@%s>* · no mentor proposed\n%s", p.MenteeID, SafeText(p.Reasons, 400))
	} else {
		fmt.Fprintf(&b, "*<@%s>* → *<@%s>* · score %d", p.MenteeID, p.MentorID, p.Score)
		switch {
		case p.Continue:
			b.WriteString(" · :repeat: both asked to continue")
		case p.Pinned:
			b.WriteString(" · :pushpin: the committee's choice")
		}
		fmt.Fprintf(&b, "\n%s", SafeText(p.Reasons, 400))
	}
	switch {
	case p.Was == "-":
		b.WriteString("\n:arrows_counterclockwise: Changed: had no mentor before")
	case p.Was != "":
		fmt.Fprintf(&b, "\n:arrows_counterclockwise: Changed: was <@%s> (score %d)", p.Was, p.WasScore)
	}
	if p.Warning != "" && p.State != mentor.ProposalApproved {
		fmt.Fprintf(&b, "\n:warning: %s", SafeText(p.Warning, 300))
	}
	switch p.State {
	case mentor.ProposalApproved:
		fmt.Fprintf(&b, "\n:white_check_mark: Approved by <@%s>", p.DecidedBy)
	case mentor.ProposalSkipped:
		b.WriteString("\n:fast_forward: Skipped (you can still approve it)")
	case mentor.ProposalFailed:
		fmt.Fprintf(&b, "\n:warning: Not approved: %s", p.Note)
	}
	return b.String()
}

func alternativesSelect(p mentor.Proposal, names map[string]string, alts []pairing.Alternative) *slack.SelectBlockElement {
	var opts []*slack.OptionBlockObject
	for _, a := range alts {
		if a.MentorID == p.MentorID {
			continue
		}
		if len(opts) == MaxAlternatives {
			break
		}
		name := names[a.MentorID]
		if name == "" {
			name = a.MentorID
		}
		var label string
		switch {
		case p.MentorID == "":
			label = fmt.Sprintf("%s · score %d · %d free", Truncate(name, 30), a.Score, a.Free)
		case a.Why == "":
			label = fmt.Sprintf("%s · %+d: same points", Truncate(name, 30), a.Diff)
		default:
			label = fmt.Sprintf("%s · %+d: %s", Truncate(name, 30), a.Diff, a.Why)
		}
		opts = append(opts, slack.NewOptionBlockObject(a.MentorID, plain(Truncate(label, 75)), nil))
	}
	if len(opts) == 0 {
		return nil
	}
	placeholder := "Choose another mentor"
	if p.MentorID == "" {
		placeholder = "Choose a mentor"
	}
	return slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(placeholder), ActionPairChange, opts...)
}
