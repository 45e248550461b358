package views

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// JoinMeta travels in the join modal's private_metadata.
type JoinMeta struct {
	CycleID string `json:"cycle"`
	Editing bool   `json:"editing,omitempty"`
	// Partners are the person's partners of last cycle, whom they may ask to
	// continue with; the only values the "continue" choice accepts.
	Partners []string `json:"partners,omitempty"`
}

// JoinModal is the sign-up form for cycle c, pre-filled from p (an existing sign-up,
// or what was typed before the role changed). The role-specific fields appear once a
// role is chosen: what a mentee needs, or what a mentor offers and for how many.
func JoinModal(c mentor.Cycle, p mentor.Participant, editing bool) *slack.ModalViewRequest {
	return JoinModalWith(c, p, editing, nil)
}

// JoinModalWith is JoinModal for someone who had partners last cycle: it also asks
// whether to continue with each (a pair is proposed again only if both ask).
func JoinModalWith(c mentor.Cycle, p mentor.Participant, editing bool, partners []string) *slack.ModalViewRequest {
	intro := fmt.Sprintf("Sign up for the *%s* mentorship program. The committee pairs mentors and mentees; each pair gets a private channel.", SafeText(c.Name, 80))
	if editing {
		intro = fmt.Sprintf("You're signed up for *%s*. Change anything and save; you can edit until you're matched.", SafeText(c.Name, 80))
	}
	return joinModal(c, p, editing, partners, intro)
}

// joinModal is the sign-up form under the opening line intro.
func joinModal(c mentor.Cycle, p mentor.Participant, editing bool, partners []string, intro string) *slack.ModalViewRequest {
	if len(partners) > 10 {
		partners = partners[:10] // a checkbox group holds 10; a mentor has at most 3
	}
	meta, _ := json.Marshal(JoinMeta{CycleID: c.ID, Editing: editing, Partners: partners})

	role := slack.NewRadioButtonsBlockElement(ActionJoinRole, options(roleOptions())...)
	if p.Role.Valid() {
		role.InitialOption = optionsOf(roleOptions(), []string{string(p.Role)})[0]
	}
	roleBlock := input("role", "I join as", "", role, false)
	roleBlock.DispatchAction = true

	stage := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose your stage"), "stage", options(mentor.Stages())...)
	if sel := optionsOf(mentor.Stages(), []string{string(p.Stage)}); len(sel) == 1 {
		stage.InitialOption = sel[0]
	}
	areas := slack.NewCheckboxGroupsBlockElement("areas", options(c.TopicOptions())...)
	areas.InitialOptions = optionsOf(c.TopicOptions(), p.Areas)
	methods := slack.NewCheckboxGroupsBlockElement("methods", options(mentor.Methods())...)
	methods.InitialOptions = optionsOf(mentor.Methods(), p.Methods)
	freq := slack.NewRadioButtonsBlockElement("frequency", options(mentor.Frequencies())...)
	f := p.Frequency
	if f == "" {
		f = "monthly" // the program's default rhythm
	}
	if sel := optionsOf(mentor.Frequencies(), []string{f}); len(sel) == 1 {
		freq.InitialOption = sel[0]
	}
	avoid := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plain("Nobody"), "avoid")
	avoid.InitialUsers = p.Avoid

	blocks := []slack.Block{section("intro", intro), roleBlock}
	switch p.Role {
	case mentor.RoleMentee:
		request := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Anyone who fits"), "request_mentor")
		request.InitialUser = p.RequestMentor
		blocks = append(blocks, input("needs", "Your specific needs", "Be specific, so a mentor can say whether they can help: e.g. preparing for academic library interviews, a first grant application.",
			textInput("needs", "What do you want to work on this year?", p.Needs, true, mentor.MaxNeedsLen), false),
			input("request_mentor", "A mentor you'd like", "Someone signed up as a mentor. The committee's matching counts it strongly, but it is never a guarantee.", request, true))
	case mentor.RoleMentor:
		capacity := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("How many?"), "capacity", options(capacityOptions())...)
		if sel := optionsOf(capacityOptions(), []string{strconv.Itoa(p.Capacity)}); len(sel) == 1 {
			capacity.InitialOption = sel[0]
		}
		blocks = append(blocks,
			input("offer", "What you can offer", "Your experience and what you'd enjoy helping with: e.g. cataloguing, grant writing, the tenure track.",
				textInput("offer", "What can you help a new professional with?", p.Offer, true, mentor.MaxNeedsLen), false),
			input("capacity", "Mentees you can take", "", capacity, false))
	default:
		blocks = append(blocks, contextBlock("role_hint", "Choose a role to tell us what you need or what you can offer."))
	}
	if len(partners) > 0 {
		var opts []*slack.OptionBlockObject
		for _, u := range partners {
			opts = append(opts, slack.NewOptionBlockObject(u, mrkdwn("Continue with <@"+u+">"), nil))
		}
		cont := slack.NewCheckboxGroupsBlockElement("continue_with", opts...)
		for _, o := range opts {
			if slices.Contains(p.ContinueWith, o.Value) {
				cont.InitialOptions = append(cont.InitialOptions, o)
			}
		}
		blocks = append(blocks, input("continue_with", "Your duo of last cycle",
			"Tick to continue together. You are paired again only if your partner ticks it too; otherwise the committee will not pair you again.", cont, true))
	}
	blocks = append(blocks,
		input("stage", "Career stage", "", stage, false),
		input("areas", "Areas of interest", "Topics from the program guidelines.", areas, true),
		input("other_areas", "Other areas", "Anything not in the list, in a few words.", textInput("other_areas", "e.g. digital humanities", p.OtherAreas, false, mentor.MaxOtherAreasLen), true),
		input("cv_url", "CV or vita link", "A web link (https://…). It is shared with your future duo partner.", textInput("cv_url", "https://", p.CVURL, false, mentor.MaxURLLen), true),
		input("methods", "How you like to communicate", "", methods, false),
		input("frequency", "How often you'd like to meet", "", freq, false),
		input("hours", "Hours a month you can give", "", numberInput("hours", p.HoursPerMonth, p.HoursPerMonth > 0), false),
		input("avoid", "People you'd rather not be paired with", "Only the committee sees this.", avoid, true),
	)
	submit := "Sign up"
	if editing {
		submit = "Save"
	}
	return &slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackJoin,
		Title:           plain("Join mentorship"),
		Submit:          plain(submit),
		Close:           plain("Cancel"),
		PrivateMetadata: string(meta),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func roleOptions() []mentor.Option {
	return []mentor.Option{
		{Value: string(mentor.RoleMentee), Label: "Mentee: I'd like guidance"},
		{Value: string(mentor.RoleMentor), Label: "Mentor: I'd like to guide someone"},
	}
}

func capacityOptions() []mentor.Option {
	return []mentor.Option{{Value: "1", Label: "1"}, {Value: "2", Label: "2"}, {Value: "3", Label: "3"}}
}

// ParseJoin reads the join modal (submitted, or mid-edit on a role change) into a
// participant, with field errors for values that are not numbers. The rules are
// checked by mentor.Participant.Validate.
func ParseJoin(v slack.View) (mentor.Participant, JoinMeta, error) {
	var meta JoinMeta
	if err := json.Unmarshal([]byte(v.PrivateMetadata), &meta); err != nil || meta.CycleID == "" {
		return mentor.Participant{}, meta, mentor.Errorf(mentor.EINVALID, "This form is out of date. Close it and run /mentorship join again.")
	}
	s := StateOf(v)
	fe := mentor.FieldErrors{}
	p := mentor.Participant{
		CycleID:    meta.CycleID,
		Role:       mentor.Role(s.Selected("role")),
		Stage:      mentor.Stage(s.Selected("stage")),
		Areas:      s.SelectedAll("areas"),
		OtherAreas: s.Text("other_areas"),
		Needs:      s.Text("needs"),
		Offer:      s.Text("offer"),
		CVURL:      s.Text("cv_url"),
		Methods:    s.SelectedAll("methods"),
		Frequency:  s.Selected("frequency"),
		Avoid:      s.Users("avoid"),
	}
	if p.Role == mentor.RoleMentee {
		p.RequestMentor = s.User("request_mentor")
	}
	for _, u := range s.SelectedAll("continue_with") {
		if slices.Contains(meta.Partners, u) {
			p.ContinueWith = append(p.ContinueWith, u)
		}
	}
	if c := s.Selected("capacity"); c != "" {
		p.Capacity, _ = strconv.Atoi(c)
	}
	if s.Text("hours") != "" {
		n, ok := s.Int("hours")
		if !ok {
			fe.Add("hours", "Give a whole number of hours.")
		}
		p.HoursPerMonth = n
	}
	return p, meta, fe.Err()
}

// JoinModalFrom is the sign-up form of cycle c filled in with p, the person's answers
// from cycle from, for someone re-applying; partners are their duo partners of
// the cycle before c, whom they may ask to continue with (see JoinModalWith).
func JoinModalFrom(c mentor.Cycle, p mentor.Participant, from mentor.Cycle, partners []string) *slack.ModalViewRequest {
	return joinModal(c, p, false, partners, fmt.Sprintf("Sign up for the *%s* mentorship program. Welcome back: the form holds your answers from *%s*. "+
		"Check them, change what is new, and send.", SafeText(c.Name, 80), SafeText(from.Name, 80)))
}
