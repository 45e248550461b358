package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/duos"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// handleMessage records a person's message in a duo channel: who and when, never
// what. Bot messages, edits, joins and every other subtype are not a person writing.
// A message in a channel that is not a duo's costs one cached lookup.
func (b *Bot) handleMessage(ctx context.Context, eventID string, ev *slackevents.MessageEvent) error {
	if !personWrote(ev) {
		return nil
	}
	at := messageTime(ev.TimeStamp, b.cfg.Clock.Now())
	seen, err := b.cfg.Duos.Message(ctx, duos.Message{EventID: eventID, Channel: ev.Channel, User: ev.User, At: at})
	if err != nil || seen.Duo.ID == "" {
		return err
	}
	c, _, err := b.program.Get(ctx, seen.CycleID)
	if err != nil {
		return err
	}
	if seen.Outcome.Ticked {
		if err := b.scheduleRedraw(ctx, c, seen.Duo, redrawWelcome); err != nil {
			return err
		}
	}
	b.refreshHomes(ctx, seen.Duo.MenteeID, seen.Duo.MentorID)
	return nil
}

// messageTime is when a message was written: its Slack timestamp ("seconds.micros"),
// not when the event reached us, which a redelivery or a queue can make minutes
// later (first contact and "last in touch" must not move). now when ts is not one.
func messageTime(ts string, now time.Time) time.Time {
	secs, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || s <= 0 {
		return now.UTC()
	}
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000).UTC()
}

// personWrote reports whether a message event is a person writing: a plain message,
// a file they shared (a CV is a fine introduction), a thread reply they also sent to
// the channel, or a /me message. Not the bot, edits, deletions, joins and the like.
func personWrote(ev *slackevents.MessageEvent) bool {
	if ev.BotID != "" || ev.User == "" || ev.Channel == "" {
		return false
	}
	switch ev.SubType {
	case "", "file_share", "thread_broadcast", "me_message":
		return true
	}
	return false
}

// redrawWelcome updates the duo's welcome checklist in place.
func (b *Bot) redrawWelcome(ctx context.Context, c mentor.Cycle, d mentor.Duo) error {
	if d.ChannelID == "" || d.Setup.WelcomeTS == "" {
		return nil
	}
	return b.reply.Update(ctx, d.ChannelID, d.Setup.WelcomeTS, views.DuoWelcome(c, d))
}

// handleAgreement opens the duo agreement form: for the duo of the channel it is run
// in, or the person's only duo, or with a choice of duos (a mentor of several).
func (b *Bot) handleAgreement(ctx context.Context, cmd *slack.SlashCommand, _ string) error {
	c, err := b.activeCycle(ctx, cmd.UserID)
	if err != nil {
		return err
	}
	duoID, choices, err := b.whichDuo(ctx, c, cmd.UserID, cmd.ChannelID, "write an agreement")
	if err != nil {
		return err
	}
	return b.openAgreement(ctx, c, cmd.TriggerID, cmd.UserID, duoID, choices, cmd.ChannelID)
}

// whichDuo finds the duo a command is about: the duo of channel when userID belongs
// to it, else the person's only open duo, else "" with their duos to choose from.
func (b *Bot) whichDuo(ctx context.Context, c mentor.Cycle, userID, channel, what string) (string, []views.DuoChoice, error) {
	if cycleID, duoID, ok, err := b.cfg.Duos.DuoOfChannel(ctx, channel); err != nil {
		return "", nil, err
	} else if ok && cycleID == c.ID {
		if d, err := b.cfg.Duos.Duo(ctx, c.ID, duoID); err == nil && d.Has(userID) && !d.Ended() {
			return d.ID, nil, nil
		}
	}
	ds, err := b.cfg.Duos.DuosOf(ctx, c, userID)
	if err != nil {
		return "", nil, err
	}
	switch len(ds) {
	case 0:
		return "", nil, mentor.Errorf(mentor.ENOTFOUND, "You're not in a duo this cycle, so there is nothing to %s about yet.", what)
	case 1:
		return ds[0].ID, nil, nil
	}
	choices := make([]views.DuoChoice, len(ds))
	for i, d := range ds {
		role, partner := "Mentee", d.MenteeID
		if userID == d.MenteeID {
			role, partner = "Mentor", d.MentorID
		}
		choices[i] = views.DuoChoice{DuoID: d.ID, Label: role + ": " + b.displayName(ctx, c.ID, partner)}
	}
	return "", choices, nil
}

// displayName is a participant's name as they signed up, or their id.
func (b *Bot) displayName(ctx context.Context, cycleID, userID string) string {
	if p, err := b.signup.Get(ctx, cycleID, userID); err == nil && p.Name != "" {
		return p.Name
	}
	return userID
}

// openAgreement opens the form for duoID (or the choice of duos when duoID is "").
func (b *Bot) openAgreement(ctx context.Context, c mentor.Cycle, triggerID, userID, duoID string, choices []views.DuoChoice, channel string) error {
	a := mentor.Agreement{CycleID: c.ID, From: c.Start, Until: c.End, Frequency: "monthly"}
	if duoID != "" {
		var err error
		if a, _, err = b.cfg.Duos.AgreementForm(ctx, c, duoID, userID); err != nil {
			return err
		}
	}
	meta := views.AgreementMeta{CycleID: c.ID, DuoID: duoID, Version: a.Version, Channel: channel}
	_, err := b.api.OpenViewContext(ctx, triggerID, *views.AgreementModal(c, a, meta, choices))
	return err
}

// handleAgreementOpen opens the form from a button (welcome, agreement post, nudge):
// value cycle|duo.
func (b *Bot) handleAgreementOpen(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	cycleID, duoID, _ := strings.Cut(act.Value, "|")
	c, _, err := b.program.Get(ctx, cycleID)
	if err != nil {
		return err
	}
	return b.openAgreement(ctx, c, cb.TriggerID, cb.User.ID, duoID, nil, cb.Channel.ID)
}

// handleAgreementSubmit stores the agreement as the duo's next version; it is then
// posted in the duo channel for both to sign.
func (b *Bot) handleAgreementSubmit(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	a, meta, err := views.ParseAgreement(cb.View)
	if err != nil {
		return nil, err
	}
	c, _, err := b.program.Get(ctx, meta.CycleID)
	if err != nil {
		return nil, err
	}
	saved, d, err := b.cfg.Duos.SubmitAgreement(ctx, c, a, cb.User.ID, cb.View.ID)
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf("Version %d of your agreement is posted in <#%s> for both of you to sign. Once you both have, it goes to the committee.", saved.Version, d.ChannelID)
	if saved.Version > 1 {
		text += " The signatures of the version before no longer count."
	}
	return slack.NewUpdateViewSubmissionResponse(views.DoneModal("Duo agreement", views.Notice(text))), nil
}

// handleAgreementSign signs a version (value cycle|duo|version) as whoever clicked,
// then redraws the post with the signatures. Only the duo's members can sign;
// signing twice changes nothing.
func (b *Bot) handleAgreementSign(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	parts := strings.Split(act.Value, "|")
	if len(parts) != 3 {
		return mentor.Errorf(mentor.EINVALID, "That button is out of date.")
	}
	version, err := strconv.Atoi(parts[2])
	if err != nil {
		return mentor.Errorf(mentor.EINVALID, "That button is out of date.")
	}
	c, _, err := b.program.Get(ctx, parts[0])
	if err != nil {
		return err
	}
	out, d, err := b.cfg.Duos.Sign(ctx, c, parts[1], version, cb.User.ID)
	if err != nil {
		return err
	}
	if !out.Signed {
		return b.reply.Interaction(ctx, cb, views.Notice(fmt.Sprintf("You had already signed version %d.", version)))
	}
	if err := b.scheduleRedraw(ctx, c, d, agreementRedraw(version)); err != nil {
		return err
	}
	if out.Complete {
		b.refreshHomes(ctx, d.MenteeID, d.MentorID)
	}
	return nil
}

// handleConcern opens the confidential concern form.
func (b *Bot) handleConcern(ctx context.Context, cmd *slack.SlashCommand, _ string) error {
	c, err := b.activeCycle(ctx, cmd.UserID)
	if err != nil {
		return err
	}
	duoID, choices, err := b.whichDuo(ctx, c, cmd.UserID, cmd.ChannelID, "raise a concern")
	if err != nil {
		return err
	}
	meta := views.ConcernMeta{CycleID: c.ID, DuoID: duoID, ID: uuid.NewString()}
	_, err = b.api.OpenViewContext(ctx, cmd.TriggerID, *views.ConcernModal(meta, choices))
	return err
}

// handleConcernSubmit records the concern; the committee gets it, the partner hears
// nothing.
func (b *Bot) handleConcernSubmit(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	k, meta, err := views.ParseConcern(cb.View)
	if err != nil {
		return nil, err
	}
	c, _, err := b.program.Get(ctx, meta.CycleID)
	if err != nil {
		return nil, err
	}
	k.From = cb.User.ID
	if _, err := b.cfg.Duos.RaiseConcern(ctx, c, k); err != nil {
		return nil, err
	}
	return slack.NewUpdateViewSubmissionResponse(views.DoneModal("Tell the committee", views.ConcernReceived(c))), nil
}

// concernAction reads a committee button on a concern post (value cycle|concern),
// after checking the clicker is on the committee and not in the duo it is about (a
// mentor who also sits on the committee does not decide about their own duo).
func (b *Bot) concernAction(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) (mentor.Cycle, string, error) {
	if err := b.requireCommittee(ctx, cb.User.ID); err != nil {
		return mentor.Cycle{}, "", err
	}
	cycleID, id, ok := strings.Cut(act.Value, "|")
	if !ok {
		return mentor.Cycle{}, "", mentor.Errorf(mentor.EINVALID, "That button is out of date.")
	}
	c, _, err := b.program.Get(ctx, cycleID)
	if err != nil {
		return c, id, err
	}
	_, d, err := b.cfg.Duos.Concern(ctx, c.ID, id)
	if err != nil {
		return c, id, err
	}
	if d.Has(cb.User.ID) {
		return c, id, mentor.Errorf(mentor.EFORBIDDEN, "This concern is about your own duo, so another committee member decides on it.")
	}
	return c, id, nil
}

// handleConcernDissolve dissolves the duo (committee only, after Slack's confirm
// dialog). However many members click, it happens once.
func (b *Bot) handleConcernDissolve(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	c, id, err := b.concernAction(ctx, cb, act)
	if err != nil {
		return err
	}
	k, dis, err := b.cfg.Duos.Dissolve(ctx, c, id, cb.User.ID)
	if err != nil {
		return err
	}
	d := dis.Duo
	if d.ID == "" {
		_, d, _ = b.cfg.Duos.Concern(ctx, c.ID, id)
	}
	return b.showDecision(ctx, cb, c, d, k)
}

// handleConcernHandled closes a concern; the duo goes on.
func (b *Bot) handleConcernHandled(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	c, id, err := b.concernAction(ctx, cb, act)
	if err != nil {
		return err
	}
	k, _, err := b.cfg.Duos.MarkHandled(ctx, c, id, cb.User.ID)
	if err != nil {
		return err
	}
	_, d, err := b.cfg.Duos.Concern(ctx, c.ID, id)
	if err != nil {
		return err
	}
	return b.showDecision(ctx, cb, c, d, k)
}

// showDecision replaces the committee's concern post with its decision.
func (b *Bot) showDecision(ctx context.Context, cb *slack.InteractionCallback, c mentor.Cycle, d mentor.Duo, k mentor.Concern) error {
	if cb.ResponseURL == "" {
		return nil
	}
	return b.reply.Replace(ctx, cb.ResponseURL, views.ConcernDecided(c, d, k))
}

// handleRematchYes puts a person whose duo was dissolved back in the pool.
func (b *Bot) handleRematchYes(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	c, _, err := b.program.Get(ctx, act.Value)
	if err != nil {
		return err
	}
	changed, err := b.cfg.Duos.Rematch(ctx, c, cb.User.ID)
	if err != nil {
		return err
	}
	text := "You're back in the pool: the committee will pair you again. See where you stand with `/mentorship status`."
	if !changed {
		text = "You're already in the pool; the committee will pair you again."
	}
	b.refreshHomes(ctx, cb.User.ID)
	return b.reply.Replace(ctx, cb.ResponseURL, views.Notice(text))
}

// handleRematchNo takes a person whose duo was dissolved out of the pool (a mentor
// whose freed place was offered again), unless they are still in another duo.
func (b *Bot) handleRematchNo(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	c, _, err := b.program.Get(ctx, act.Value)
	if err != nil {
		return err
	}
	p, err := b.signup.Get(ctx, c.ID, cb.User.ID)
	if err != nil {
		return err
	}
	text := "Understood: no new match. Thank you for taking part. You can sign up again in a later cycle with `/mentorship join`."
	switch {
	case p.Status == mentor.StatusPending && len(p.Duos) == 0:
		if _, err := b.signup.Leave(ctx, c, cb.User.ID); err != nil {
			return err
		}
	case len(p.Duos) > 0:
		text = "Understood. Your other duo goes on as before; tell the committee if you'd rather not take another mentee this cycle."
	}
	b.refreshHomes(ctx, cb.User.ID)
	return b.reply.Replace(ctx, cb.ResponseURL, views.Notice(text))
}

// botUserID returns the bot's own user id (auth.test, asked once).
func (b *Bot) botUserID(ctx context.Context) (string, error) {
	b.self.mu.Lock()
	defer b.self.mu.Unlock()
	if b.self.id != "" {
		return b.self.id, nil
	}
	r, err := b.api.AuthTestContext(ctx)
	if err != nil {
		return "", err
	}
	b.self.id = r.UserID
	return r.UserID, nil
}

// selfID caches the bot's user id.
type selfID struct {
	mu sync.Mutex
	id string
}
