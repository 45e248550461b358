package bot

import (
	"context"
	"errors"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/slackapi"
	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/pairing"
)

// handleMatch opens the pairing modal at once (the trigger dies in 3 s), computes the
// proposals, then fills the modal in.
func (b *Bot) handleMatch(ctx context.Context, cmd *slack.SlashCommand, _ string) error {
	return b.openMatch(ctx, cmd.TriggerID, cmd.UserID)
}

// handleHomeMatch opens the pairing modal from App Home (committee only).
func (b *Bot) handleHomeMatch(ctx context.Context, cb *slack.InteractionCallback, _ *slack.BlockAction) error {
	if err := b.requireCommittee(ctx, cb.User.ID); err != nil {
		return err
	}
	return b.openMatch(ctx, cb.TriggerID, cb.User.ID)
}

func (b *Bot) openMatch(ctx context.Context, triggerID, userID string) error {
	c, err := b.activeCycle(ctx, userID)
	if err != nil {
		return err
	}
	v, err := b.api.OpenViewContext(ctx, triggerID, *views.PairingLoading(c))
	if err != nil {
		return err
	}
	r, err := b.pairing.Propose(ctx, c, userID)
	if err == nil {
		err = b.renderPairing(ctx, v.ID, c, r, 0)
	}
	if err != nil {
		// The modal is the answer: say it there, and only log here.
		b.showInModal(ctx, v.ID, views.ErrorModal(mentor.ErrorMessage(err)))
		b.log.Error("pairing proposals failed", "user", userID, "err", err)
	}
	return nil
}

// renderPairing shows page `page` of round r in the modal viewID.
func (b *Bot) renderPairing(ctx context.Context, viewID string, c mentor.Cycle, r mentor.PairingRound, page int) error {
	from := min(max(page, 0)*views.PairPageSize, len(r.Proposals))
	to := min(from+views.PairPageSize, len(r.Proposals))
	alts, people, err := b.pairing.AlternativesOf(ctx, c.ID, r.Proposals[from:to], views.MaxAlternatives+1)
	if err != nil {
		return err
	}
	names := make(map[string]string, len(people))
	for id, p := range people {
		names[id] = p.Name
	}
	var duoIDs []string
	for _, p := range r.Proposals {
		if p.State == mentor.ProposalApproved && p.DuoID != "" {
			duoIDs = append(duoIDs, p.DuoID)
		}
	}
	duos, err := b.pairing.ApprovedDuos(ctx, c.ID, duoIDs)
	if err != nil {
		return err
	}
	_, err = b.api.UpdateViewContext(ctx, *views.PairingPageWith(c, r, page, names, alts, duos), "", "", viewID)
	return err
}

func (b *Bot) showInModal(ctx context.Context, viewID string, v *slack.ModalViewRequest) {
	if _, err := b.api.UpdateViewContext(ctx, *v, "", "", viewID); err != nil {
		b.log.Warn("could not update modal", "view", viewID, "err", err)
	}
}

// pairingAction wraps the pairing modal's buttons: committee check, the round from
// the modal's metadata, and a redraw of the page afterwards whatever happened.
// do returns the page to show and, when it has it, the round as it left it (nil:
// read it again): a round of thousands of proposals is not read twice a click.
func (b *Bot) pairingAction(do func(ctx context.Context, c mentor.Cycle, meta views.PairingMeta, cb *slack.InteractionCallback, act *slack.BlockAction) (page int, latest *mentor.PairingRound, err error)) ActionHandler {
	return func(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
		if err := b.requireCommittee(ctx, cb.User.ID); err != nil {
			return err
		}
		meta, err := views.ParsePairingMeta(cb.View.PrivateMetadata)
		if err != nil {
			return err
		}
		c, _, err := b.program.Get(ctx, meta.CycleID)
		if err != nil {
			return err
		}
		page, latest, actErr := do(ctx, c, meta, cb, act)
		if latest == nil || actErr != nil {
			r, err := b.pairing.Round(ctx, c.ID, meta.RoundID)
			if err != nil {
				b.showInModal(ctx, cb.View.ID, views.ErrorModal(mentor.ErrorMessage(err)))
				return err
			}
			latest = &r
		}
		if err := b.renderPairing(ctx, cb.View.ID, c, *latest, page); err != nil {
			return err
		}
		return actErr
	}
}

func (b *Bot) handlePairApprove() ActionHandler {
	return b.pairingAction(func(ctx context.Context, c mentor.Cycle, meta views.PairingMeta, cb *slack.InteractionCallback, act *slack.BlockAction) (int, *mentor.PairingRound, error) {
		if err := b.approvable(ctx, c); err != nil {
			return meta.Page, nil, err
		}
		i, _ := strconv.Atoi(act.Value)
		r, err := b.approve(ctx, c, meta.RoundID, i, cb.User.ID, "your approval")
		return meta.Page, r, err
	})
}

// approvable refuses approving pairs (and retrying their opening) in cycle c unless
// it is the active cycle and has not ended: proposals live for days, and a window
// left open from an earlier cycle must not make duos in it.
func (b *Bot) approvable(ctx context.Context, c mentor.Cycle) error {
	if !c.Open(b.cfg.Clock.Now()) {
		return mentor.Errorf(mentor.ECONFLICT, "This cycle ended on %s, so it takes no new duos. Open the next cycle with `/mentorship program new`.", mentor.FormatDate(c.End))
	}
	active, _, err := b.program.Active(ctx)
	if err != nil && mentor.ErrorCode(err) != mentor.ENOTFOUND {
		return err
	}
	if active.ID != c.ID {
		return mentor.Errorf(mentor.ECONFLICT, "These proposals belong to a cycle that is no longer the active one. Run `/mentorship match` for the current cycle.")
	}
	return nil
}

func (b *Bot) handlePairApproveAll() ActionHandler {
	return b.pairingAction(func(ctx context.Context, c mentor.Cycle, meta views.PairingMeta, cb *slack.InteractionCallback, act *slack.BlockAction) (int, *mentor.PairingRound, error) {
		if err := b.approvable(ctx, c); err != nil {
			return meta.Page, nil, err
		}
		r, err := b.pairing.Round(ctx, c.ID, meta.RoundID)
		if err != nil {
			return meta.Page, nil, err
		}
		var errs []error
		from := meta.Page * views.PairPageSize
		for i := from; i < min(from+views.PairPageSize, len(r.Proposals)); i++ {
			p := r.Proposals[i]
			if p.MentorID == "" || p.State != mentor.ProposalOpen || p.Warning != "" {
				continue // skipped, refused and warned ones need a decision of their own
			}
			if _, err := b.approve(ctx, c, meta.RoundID, i, cb.User.ID, ""); err != nil {
				errs = append(errs, err)
			}
		}
		r, err = b.pairing.Reoptimise(ctx, c, meta.RoundID, "your approvals")
		return meta.Page, &r, errors.Join(append(errs, err)...)
	})
}

func (b *Bot) handlePairSkip() ActionHandler {
	return b.pairingAction(func(ctx context.Context, c mentor.Cycle, meta views.PairingMeta, cb *slack.InteractionCallback, act *slack.BlockAction) (int, *mentor.PairingRound, error) {
		i, _ := strconv.Atoi(act.Value)
		r, err := b.pairing.Skip(ctx, c.ID, meta.RoundID, i, cb.User.ID)
		return meta.Page, &r, err
	})
}

func (b *Bot) handlePairChange() ActionHandler {
	return b.pairingAction(func(ctx context.Context, c mentor.Cycle, meta views.PairingMeta, cb *slack.InteractionCallback, act *slack.BlockAction) (int, *mentor.PairingRound, error) {
		i, err := strconv.Atoi(strings.TrimPrefix(act.BlockID, "a"))
		if err != nil {
			return meta.Page, nil, mentor.Errorf(mentor.EINVALID, "That choice no longer fits this window. Run `/mentorship match` again.")
		}
		r, err := b.pairing.ChangeMentor(ctx, c.ID, meta.RoundID, i, act.SelectedOption.Value)
		return meta.Page, &r, err
	})
}

// handlePairSettings shows the cycle's matching settings (committee only): pushed
// over the pairing modal, or opened from the committee's Home.
func (b *Bot) handlePairSettings(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	if err := b.requireCommittee(ctx, cb.User.ID); err != nil {
		return err
	}
	c, _, err := b.program.Get(ctx, act.Value)
	if err != nil {
		return err
	}
	s, rev, err := b.pairing.Settings(ctx, c.ID)
	if err != nil {
		return err
	}
	m := *views.MatchSettingsModal(c, s, rev)
	if cb.View.Type == slack.VTModal {
		_, err = b.api.PushViewContext(ctx, cb.TriggerID, m)
	} else {
		_, err = b.api.OpenViewContext(ctx, cb.TriggerID, m)
	}
	return err
}

// handleMatchSettingsSubmit saves the cycle's matching settings (committee only):
// one atomic, revision-checked write; a stale form is refused.
func (b *Bot) handleMatchSettingsSubmit(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	if err := b.requireCommittee(ctx, cb.User.ID); err != nil {
		return nil, err
	}
	s, meta, err := views.ParseMatchSettings(cb.View)
	if err != nil {
		return nil, err
	}
	c, _, err := b.program.Get(ctx, meta.CycleID)
	if err != nil {
		return nil, err
	}
	if err := b.pairing.SaveSettings(ctx, c.ID, s, meta.Rev); err != nil {
		return nil, err
	}
	b.log.Info("matching settings saved", "cycle", c.ID, "by", cb.User.ID, "settings", pairing.Steering(s))
	return slack.NewUpdateViewSubmissionResponse(views.SettingsSaved(c, pairing.Steering(s))), nil
}

func (b *Bot) handlePairPage() ActionHandler {
	return b.pairingAction(func(ctx context.Context, c mentor.Cycle, meta views.PairingMeta, cb *slack.InteractionCallback, act *slack.BlockAction) (int, *mentor.PairingRound, error) {
		page, _ := strconv.Atoi(act.Value)
		return page, nil, nil
	})
}

// approve approves proposal i (re-optimising the round around it unless choice is
// empty, see pairing.Service.Approve) and has the duo opened in the background, as
// a durable job (the modal must not wait for channel creation, which Slack
// rate-limits). A duo that exists but is not fully open (an earlier attempt stopped
// half-way) is resumed too. A refusal the round records on the proposal (mentor
// full, mentee taken, one now avoids the other) is not an error here: the window
// shows it. It returns the round as the approval left it, or nil.
func (b *Bot) approve(ctx context.Context, c mentor.Cycle, roundID string, i int, actor, choice string) (*mentor.PairingRound, error) {
	a, err := b.pairing.Approve(ctx, c, roundID, i, actor, choice)
	if a.Duo.ID != "" && !a.Duo.Setup.Done() && (err == nil || a.Created) {
		if serr := b.scheduleOpenDuo(ctx, c, a.Duo.ID); serr != nil {
			return nil, errors.Join(err, serr)
		}
	}
	if err != nil && a.Proposal.State == mentor.ProposalFailed {
		err = nil
	}
	if err != nil || a.Round.ID == "" {
		return nil, err
	}
	return &a.Round, nil
}

// handleDuoRetry makes a stopped duo opening run again now instead of at its next
// retry (committee only). It answers at once; the duo leaves the committee's Home
// when it is open.
func (b *Bot) handleDuoRetry(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	if err := b.requireCommittee(ctx, cb.User.ID); err != nil {
		return err
	}
	cycleID, duoID, _ := strings.Cut(act.Value, "|")
	c, _, err := b.program.Get(ctx, cycleID)
	if err != nil {
		return err
	}
	if err := b.approvable(ctx, c); err != nil {
		return err
	}
	ds, err := b.pairing.Duos(ctx, c.ID, []string{duoID})
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return mentor.Errorf(mentor.ENOTFOUND, "That duo no longer exists.")
	}
	d := ds[0]
	if d.Setup.Done() {
		return b.reply.Interaction(ctx, cb, views.Notice(":white_check_mark: The duo of <@"+d.MenteeID+"> and <@"+d.MentorID+"> is open in <#"+d.ChannelID+">."))
	}
	if err := b.cfg.Scheduler.Now(ctx, openDuoJob(c, d.ID), mentor.ScheduleEarlier); err != nil {
		return err
	}
	// Wait a little for the outcome, so the committee member sees it in place of the
	// notice they clicked; a slow opening goes on by itself.
	for wait := 0; wait < retryWaitSteps && !d.Setup.Done(); wait++ {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(retryWaitStep):
		}
		if ds, err := b.pairing.Duos(ctx, c.ID, []string{duoID}); err == nil && len(ds) == 1 {
			d = ds[0]
		}
	}
	msg := views.Notice(":white_check_mark: The duo of <@" + d.MenteeID + "> and <@" + d.MentorID + "> is open in <#" + d.ChannelID + ">.")
	if !d.Setup.Done() {
		msg = views.Notice(":arrows_counterclockwise: Still opening the duo of <@" + d.MenteeID + "> and <@" + d.MentorID + ">" + stuckAt(d) +
			". It retries by itself and shows on the committee's Home until it is open.")
	}
	if cb.ResponseURL != "" && cb.Container.Type == "message" {
		return b.reply.Replace(ctx, cb.ResponseURL, msg)
	}
	b.refreshHomes(ctx, cb.User.ID)
	return nil
}

// How long a Retry click waits for the duo to open before answering.
const (
	retryWaitStep  = 100 * time.Millisecond
	retryWaitSteps = 20
)

func stuckAt(d mentor.Duo) string {
	if d.Setup.LastError == "" {
		return ""
	}
	return " (last stopped at: " + views.SafeText(d.Setup.LastError, 300) + ")"
}

// handleDuoTick ticks a checklist item and redraws the welcome message from the
// stored checklist, also when nothing changed (it may show a stale state after two
// people ticked at once).
func (b *Bot) handleDuoTick(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	parts := strings.Split(act.Value, "|")
	if len(parts) != 4 {
		return mentor.Errorf(mentor.EINVALID, "That button is out of date.")
	}
	c, _, err := b.program.Get(ctx, parts[0])
	if err != nil {
		return err
	}
	d, _, err := b.pairing.Tick(ctx, c.ID, parts[1], parts[2], cb.User.ID, parts[3] == "1")
	if err != nil {
		return err
	}
	channel, ts := cb.Channel.ID, cb.Message.Timestamp
	if channel == "" || ts == "" {
		channel, ts = d.ChannelID, d.Setup.WelcomeTS
	}
	// Redraw until the message shows what is stored: when two people tick at once,
	// whichever update lands last re-reads and corrects the message.
	for try := 0; try < 3; try++ {
		if err := b.reply.Update(ctx, channel, ts, views.DuoWelcome(c, d)); err != nil {
			return err
		}
		now, err := b.pairing.Duos(ctx, c.ID, []string{d.ID})
		if err != nil || len(now) == 0 || maps.Equal(now[0].Checklist, d.Checklist) {
			return err
		}
		d = now[0]
	}
	return nil
}

// refreshHomes republishes App Home for people whose standing changed. Home is only a
// view: a failure is logged, not reported.
func (b *Bot) refreshHomes(ctx context.Context, userIDs ...string) {
	ctx = slackapi.Foreground(ctx)
	for _, u := range userIDs {
		if err := b.publishHome(ctx, u, 0); err != nil {
			b.log.Warn("could not refresh Home", "user", u, "err", err)
		}
	}
}

// workspace opens duos in Slack for the pairing service. look is set on a retry:
// posts are then searched for (since since) before being made again.
type workspace struct {
	b     *Bot
	look  bool
	since time.Time
}

func (w *workspace) CreatePrivateChannel(ctx context.Context, name string) (string, error) {
	ch, err := w.b.api.CreateConversationContext(ctx, slack.CreateConversationParams{ChannelName: name, IsPrivate: true})
	if slackapi.Is(err, slackapi.NameTaken) {
		return "", pairing.ErrNameTaken
	}
	if err != nil {
		return "", slackapi.Domain(err) // readable, without the API's URL; the cause stays in the chain
	}
	return ch.ID, nil
}

// FindChannel pages through the private channels the bot is in (conversations.list
// is Tier 2, but this runs only after name_taken for a name the duo meant to use).
func (w *workspace) FindChannel(ctx context.Context, name string, members ...string) (string, bool, error) {
	self, err := w.b.botUserID(ctx)
	if err != nil {
		return "", false, err
	}
	params := &slack.GetConversationsParameters{Types: []string{"private_channel"}, Limit: 1000, ExcludeArchived: false}
	for {
		chans, next, err := w.b.api.GetConversationsContext(ctx, params)
		if err != nil {
			return "", false, err
		}
		for _, ch := range chans {
			if ch.Name != name {
				continue
			}
			if ch.Creator != self || ch.IsArchived {
				return "", false, nil
			}
			in, _, err := w.b.api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: ch.ID, Limit: 100})
			if err != nil {
				return "", false, err
			}
			allowed := map[string]bool{self: true}
			for _, m := range members {
				allowed[m] = true
			}
			for _, u := range in {
				if !allowed[u] {
					return "", false, nil
				}
			}
			return ch.ID, true, nil
		}
		if next == "" {
			return "", false, nil
		}
		params.Cursor = next
	}
}

// Invite invites each person on their own, so someone already in the channel (a
// retry) does not stop the other's invitation.
func (w *workspace) Invite(ctx context.Context, channelID string, userIDs ...string) error {
	for _, u := range userIDs {
		_, err := w.b.api.InviteUsersToConversationContext(ctx, channelID, u)
		if err != nil && !slackapi.Is(err, slackapi.AlreadyInChannel) {
			return slackapi.Domain(err)
		}
	}
	return nil
}

func (w *workspace) PostWelcome(ctx context.Context, c mentor.Cycle, d mentor.Duo) (string, error) {
	ts, err := w.b.postOnce(ctx, d.ChannelID, views.DuoWelcome(c, d), "welcome:"+d.ID, w.look, w.since)
	return ts, slackapi.Domain(err)
}

func (w *workspace) TellMember(ctx context.Context, c mentor.Cycle, d mentor.Duo, userID string) error {
	_, err := w.b.postOnce(ctx, userID, views.DuoTold(c, d, userID), "told:"+d.ID+":"+userID, w.look, w.since)
	return slackapi.Domain(err)
}

func (w *workspace) TellCommittee(ctx context.Context, c mentor.Cycle, d mentor.Duo) error {
	_, err := w.b.postOnce(ctx, w.b.committee.Channel(), views.DuoRecord(d), "duo-record:"+d.ID, w.look, w.since)
	return slackapi.Domain(err)
}

func (w *workspace) Name(ctx context.Context, cycleID, userID string) string {
	p, err := w.b.signup.Get(ctx, cycleID, userID)
	if err != nil {
		return ""
	}
	return p.Name
}
