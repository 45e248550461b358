package bot

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/slackapi"
	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/signup"
)

// activeCycle returns the open cycle, or a *mentor.Error whose message says there is
// none (worded for committee members or everyone).
func (b *Bot) activeCycle(ctx context.Context, userID string) (mentor.Cycle, error) {
	c, _, err := b.program.Active(ctx)
	if mentor.ErrorCode(err) == mentor.ENOTFOUND {
		member, _ := b.committee.IsMember(ctx, userID)
		return c, mentor.Errorf(mentor.ENOTFOUND, "%s", views.NoCycleMessage(member).Text)
	}
	return c, err
}

// handleJoin opens the sign-up modal: empty, or pre-filled to edit a pending sign-up.
func (b *Bot) handleJoin(ctx context.Context, cmd *slack.SlashCommand, _ string) error {
	return b.openJoin(ctx, cmd.TriggerID, cmd.UserID)
}

func (b *Bot) openJoin(ctx context.Context, triggerID, userID string) error {
	c, err := b.activeCycle(ctx, userID)
	if err != nil {
		return err
	}
	p, err := b.signup.Get(ctx, c.ID, userID)
	editing := false
	switch {
	case err == nil && p.Status == mentor.StatusMatched:
		return mentor.Errorf(mentor.ECONFLICT, "You're already in a duo this cycle, so your sign-up can't be changed here. Please contact the mentorship committee if something needs to change.")
	case err == nil && p.Status == mentor.StatusPending:
		editing = true
	case err == nil && len(p.Duos) > 0:
		return mentor.Errorf(mentor.ECONFLICT, "You left the program while in a duo; the committee will follow up with you. Please contact them before signing up again.")
	case err == nil: // withdrawn: join again, starting from the old answers
	case mentor.ErrorCode(err) == mentor.ENOTFOUND:
		// People re-apply every year: start from their last sign-up.
		last, from, found, err := b.signup.Previous(ctx, c, userID)
		if err != nil {
			b.log.Warn("could not read the last sign-up; the form starts empty", "err", err)
		}
		if found {
			// last is already the sign-up LastPartners would read when it is from
			// the cycle before c; from an older cycle, there were no partners last
			// cycle.
			var partners []string
			if from.ID == c.Previous {
				partners, err = b.pairing.PartnersOf(ctx, c.Previous, last)
				if err != nil {
					b.log.Warn("could not read last cycle's partners", "user", userID, "err", err)
				}
			}
			_, err = b.api.OpenViewContext(ctx, triggerID, *views.JoinModalFrom(c, signup.Reapply(last, c), from, partners))
			return err
		}
		p = mentor.Participant{}
	default:
		return err
	}
	_, err = b.api.OpenViewContext(ctx, triggerID, *views.JoinModalWith(c, p, editing, b.lastPartners(ctx, c, userID)))
	return err
}

// lastPartners are the person's duo partners of the cycle before c, whom the join
// form offers to continue with. A failure only leaves that choice out.
func (b *Bot) lastPartners(ctx context.Context, c mentor.Cycle, userID string) []string {
	partners, err := b.pairing.LastPartners(ctx, c, userID)
	if err != nil {
		b.log.Warn("could not read last cycle's partners", "user", userID, "err", err)
	}
	return partners
}

// handleJoinRole redraws the join modal for the chosen role, keeping what was typed.
func (b *Bot) handleJoinRole(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	p, meta, _ := views.ParseJoin(cb.View) // half-filled is fine here
	if meta.CycleID == "" {
		return nil
	}
	c, _, err := b.program.Get(ctx, meta.CycleID)
	if err != nil {
		return err
	}
	// Two quick switches are handled at once: draw the latest click's role, and
	// when another redraw got there first (hash_conflict) draw it again over that
	// one, so the form never stays on a role the person switched away from.
	latest := func(role string) mentor.Role {
		if v, err := b.cfg.Choices.LatestChoice(ctx, cb.View.ID, "role", act.ActionTs, role); err == nil && v != "" {
			return mentor.Role(v)
		}
		return mentor.Role(role)
	}
	clicked := string(p.Role)
	if act != nil && act.SelectedOption.Value != "" {
		clicked = act.SelectedOption.Value
	}
	p.Role = latest(clicked)
	_, err = b.api.UpdateViewContext(ctx, *views.JoinModalWith(c, p, meta.Editing, meta.Partners), "", cb.View.Hash, cb.View.ID)
	if slackapi.Is(err, slackapi.HashConflict) {
		p.Role = latest(string(p.Role))
		_, err = b.api.UpdateViewContext(ctx, *views.JoinModalWith(c, p, meta.Editing, meta.Partners), "", "", cb.View.ID)
	}
	return err
}

// handleJoinSubmit saves the sign-up and turns the modal into a confirmation.
func (b *Bot) handleJoinSubmit(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	p, meta, err := views.ParseJoin(cb.View)
	if err != nil {
		return nil, err
	}
	c, _, err := b.program.Active(ctx)
	if err != nil {
		return nil, err
	}
	if c.ID != meta.CycleID {
		return nil, mentor.Errorf(mentor.EINVALID, "The program has moved to a new cycle since this form opened. Close it and run `/mentorship join` again.")
	}
	p.UserID = cb.User.ID
	p.Name, p.TZ, p.TZOffset = b.profile(ctx, cb.User.ID)
	saved, err := b.signup.Join(ctx, c, p)
	var fe mentor.FieldErrors
	if errors.As(err, &fe) && !allShown(fe, cb.View) {
		// The role was switched just before sending, and the form on screen is
		// still the other role's: Slack would refuse errors for inputs it does not
		// show, and the person could never send. Show the right form, answers
		// kept, to fill in and send.
		return slack.NewUpdateViewSubmissionResponse(views.JoinModalWith(c, p, meta.Editing, meta.Partners)), nil
	}
	if err != nil {
		return nil, err
	}
	b.router.Go("home after join", func(ctx context.Context) error {
		return b.publishHome(ctx, cb.User.ID, 0)
	}, nil)
	msg := views.Joined(c, saved, meta.Editing)
	return slack.NewUpdateViewSubmissionResponse(views.DoneModal("Join mentorship", msg)), nil
}

// profileTimeout bounds the users.info call made while a sign-up form waits.
const profileTimeout = 800 * time.Millisecond

// profile returns the person's name and time zone from Slack. A failure is not fatal
// to a sign-up: the fields stay empty and are filled at the next edit.
func (b *Bot) profile(ctx context.Context, userID string) (name, tz string, offset int) {
	// The answer to the form waits on this call: keep Slack's share of the budget
	// small so saving still fits in it.
	ctx, cancel := context.WithTimeout(ctx, profileTimeout)
	defer cancel()
	u, err := b.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		b.log.Warn("users.info failed; sign-up saved without name and time zone", "user", userID, "err", err)
		return "", "", 0
	}
	name = u.Profile.DisplayName
	if u.RealName != "" {
		name = u.RealName
	}
	if name == "" {
		name = u.Name
	}
	return name, u.TZ, u.TZOffset
}

// handleStatus answers with the person's sign-up, duo and next step.
func (b *Bot) handleStatus(ctx context.Context, cmd *slack.SlashCommand, _ string) error {
	c, err := b.activeCycle(ctx, cmd.UserID)
	if err != nil {
		return err
	}
	st, err := b.standing(ctx, c, cmd.UserID)
	if err != nil {
		return err
	}
	return b.reply.Command(ctx, cmd, views.StatusMessage(st))
}

// standing gathers what a person's status shows.
func (b *Bot) standing(ctx context.Context, c mentor.Cycle, userID string) (views.Standing, error) {
	st := views.Standing{Cycle: c}
	p, err := b.signup.Get(ctx, c.ID, userID)
	switch {
	case err == nil:
		st.Participant = &p
		if st.Duos, err = b.pairing.Duos(ctx, c.ID, p.Duos); err != nil {
			return st, err
		}
		if len(st.Duos) > 0 {
			people := []string{p.UserID}
			for _, d := range st.Duos {
				people = append(people, d.Partner(p.UserID))
			}
			if st.Evaluated, err = b.evaluatedAmong(ctx, c.ID, people); err != nil {
				return st, err
			}
		}
	case mentor.ErrorCode(err) != mentor.ENOTFOUND:
		return st, err
	}
	st.Step = mentor.NextStep(c, st.Participant, st.Duos, b.cfg.Clock.Now())
	return st, nil
}

// handleLeave asks for confirmation before withdrawing.
func (b *Bot) handleLeave(ctx context.Context, cmd *slack.SlashCommand, _ string) error {
	c, err := b.activeCycle(ctx, cmd.UserID)
	if err != nil {
		return err
	}
	p, err := b.signup.Get(ctx, c.ID, cmd.UserID)
	if mentor.ErrorCode(err) == mentor.ENOTFOUND {
		return mentor.Errorf(mentor.ENOTFOUND, "You're not signed up for this cycle, so there is nothing to leave.")
	}
	if err != nil {
		return err
	}
	if p.Status == mentor.StatusWithdrawn {
		return b.reply.Command(ctx, cmd, views.Notice("You've already left this cycle. You can sign up again with `/mentorship join`."))
	}
	return b.reply.Command(ctx, cmd, views.LeaveConfirm(p))
}

// handleLeaveConfirm withdraws after the confirmation button.
func (b *Bot) handleLeaveConfirm(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	c, _, err := b.program.Get(ctx, act.Value)
	if err != nil {
		return err
	}
	already, err := b.leave(ctx, c, cb.User.ID)
	if err != nil {
		return err
	}
	if already {
		return b.reply.Replace(ctx, cb.ResponseURL, views.Notice("You had already left this cycle."))
	}
	return b.reply.Replace(ctx, cb.ResponseURL, views.LeftMessage(c))
}

// handleLeaveCancel takes the confirmation away.
func (b *Bot) handleLeaveCancel(ctx context.Context, cb *slack.InteractionCallback, _ *slack.BlockAction) error {
	return b.reply.Replace(ctx, cb.ResponseURL, views.Notice("Glad you're staying!"))
}

// handleLeaveSubmit withdraws from the App Home confirmation modal.
func (b *Bot) handleLeaveSubmit(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	c, _, err := b.program.Get(ctx, cb.View.PrivateMetadata)
	if err != nil {
		return nil, err
	}
	if _, err := b.leave(ctx, c, cb.User.ID); err != nil {
		return nil, err
	}
	return slack.NewUpdateViewSubmissionResponse(views.DoneModal("Leave the program", views.LeftMessage(c))), nil
}

// leave withdraws userID from c and tells the committee, once: a second confirmation
// (a double click) changes nothing, tells nobody again and reports alreadyLeft.
func (b *Bot) leave(ctx context.Context, c mentor.Cycle, userID string) (alreadyLeft bool, err error) {
	out, err := b.signup.Leave(ctx, c, userID)
	if err != nil {
		return false, err
	}
	if out.AlreadyLeft {
		return true, nil
	}
	// Telling the committee is a durable job (it must happen, once); Home is only a
	// view, redrawn in the background.
	if len(out.DuoIDs) > 0 {
		if err := b.cfg.Duos.Left(ctx, c, userID, out.DuoIDs); err != nil {
			return false, err
		}
	} else if err := b.schedulePost(ctx, "left:"+c.ID+":"+userID+":"+strconv.FormatInt(b.cfg.Clock.Now().UnixMilli(), 10), "committee",
		views.CommitteeLeftNotice(out.Participant, nil)); err != nil {
		return false, err
	}
	b.router.Go("home after leave", func(ctx context.Context) error { return b.publishHome(ctx, userID, 0) }, nil)
	return false, nil
}

// allShown reports whether every field of fe is an input block of view v, so Slack
// can show each error under its input.
func allShown(fe mentor.FieldErrors, v slack.View) bool {
	shown := map[string]bool{}
	for _, b := range v.Blocks.BlockSet {
		shown[b.ID()] = true
	}
	for field := range fe {
		if !shown[field] {
			return false
		}
	}
	return true
}
