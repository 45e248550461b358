package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/slackapi"
	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/closeout"
	"github.com/mentorbot/mentorbot/internal/duos"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/nudges"
	"github.com/mentorbot/mentorbot/internal/pairing"
	"github.com/mentorbot/mentorbot/internal/scheduler"
)

// Job kinds the bot performs itself (the use cases add their own: see registerJobs).
const (
	JobOpenDuo     = "open_duo"     // open a duo in Slack, step by step
	JobPost        = "post"         // post a rendered message once
	JobDissolvedDM = "dissolved_dm" // tell a member their duo was dissolved
	JobArchive     = "archive"      // archive a dissolved duo's channel
	JobRedraw      = "redraw"       // update a duo's welcome checklist, an agreement post or the close-out message in place
)

// registerJobs tells the scheduler who performs each kind of job. Every performer
// runs with Slack calls that Slack's pacing may postpone (Deferrable), and its error
// goes through jobError.
func (b *Bot) registerJobs() {
	s := b.cfg.Scheduler
	handle := func(kind string, p scheduler.Performer) {
		s.Handle(kind, func(ctx context.Context, j mentor.Job) error { return jobError(p(slackapi.Deferrable(ctx), j)) })
	}
	handle(JobOpenDuo, b.performOpenDuo)
	handle(JobPost, b.performPost)
	handle(nudges.JobKind, func(ctx context.Context, j mentor.Job) error { return b.cfg.Nudges.Perform(ctx, j, b) })
	handle(duos.JobAgreementPost, b.performAgreementPost)
	handle(duos.JobAgreementRecord, b.performAgreementRecord)
	handle(duos.JobConcernPost, b.performConcernPost)
	handle(duos.JobDissolve, b.performDissolve)
	handle(JobDissolvedDM, b.performDissolvedDM)
	handle(JobArchive, b.performArchive)
	handle(JobPlanCycle, b.performPlanCycle)
	handle(JobRedraw, b.performRedraw)
	handle(JobReconcile, b.performReconcile)
	handle(JobFinishRound, b.performFinishRound)
	handle(JobUnmatchedDM, b.performUnmatchedDM)
	handle(closeout.JobCycle, b.cfg.Closeout.PerformCycle)
	handle(closeout.JobDuo, b.performCloseout)
	handle(closeout.JobArchive, b.performCloseoutArchive)
	handle(JobReport, b.performReport)
	s.Observe(func(kind, outcome string) { b.cfg.Metrics.Jobs.WithLabelValues(kind, outcome).Inc() })
}

// jobError turns what a Slack call answered into what the scheduler does next: wait
// for Slack's pacing (no failure counted), retry carefully when the call may have
// taken effect, or retry with backoff.
func jobError(err error) error {
	if err == nil {
		return nil
	}
	if until, ok := slackapi.DeferUntil(err); ok {
		return scheduler.Deferred(until, err)
	}
	if slackapi.Ambiguous(err) {
		return scheduler.Uncertain(err)
	}
	return err
}

// postOnce posts msg in channel (a channel id, or a user id for the bot's DM with
// them) so that it appears once however often it is attempted: the message carries
// key in its metadata and, when look is set (a retry), the channel's history since
// since is searched for it first. It returns the message's ts.
func (b *Bot) postOnce(ctx context.Context, channel string, msg views.Message, key string, look bool, since time.Time) (string, error) {
	if msg.Metadata == nil {
		msg.Metadata = &slack.SlackMetadata{EventType: views.PostMetadataType, EventPayload: map[string]any{"key": key}}
	}
	if look {
		ts, found, err := b.findPost(ctx, channel, key, since)
		if err != nil {
			return "", err
		}
		if found {
			b.log.Info("post found in history; not posting again", "key", key)
			return ts, nil
		}
	}
	return b.reply.Post(ctx, channel, msg)
}

// historyPages bounds the search for an earlier post: the bot looks back at most this
// many pages of 100 messages (since the job was created).
const historyPages = 5

// findPost looks for the bot's message carrying key in its metadata.
func (b *Bot) findPost(ctx context.Context, channel, key string, since time.Time) (ts string, found bool, err error) {
	if strings.HasPrefix(channel, "U") || strings.HasPrefix(channel, "W") {
		ch, _, _, err := b.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{channel}, ReturnIM: true})
		if err != nil {
			return "", false, err
		}
		channel = ch.ID
	}
	return b.searchHistory(ctx, channel, true, since, func(m slack.Message) bool {
		k, _ := m.Metadata.EventPayload["key"].(string)
		return k == key
	})
}

// searchHistory looks in channel's history since since (a minute earlier, for
// clocks apart), newest first and at most historyPages pages of 100 messages, for
// the first message match accepts, and returns its ts. metadata asks Slack for
// the messages' metadata too.
func (b *Bot) searchHistory(ctx context.Context, channel string, metadata bool, since time.Time, match func(slack.Message) bool) (ts string, found bool, err error) {
	params := &slack.GetConversationHistoryParameters{ChannelID: channel, IncludeAllMetadata: metadata, Limit: 100}
	if !since.IsZero() {
		params.Oldest = strconv.FormatFloat(float64(since.Add(-time.Minute).UnixMilli())/1000, 'f', 6, 64)
	}
	for page := 0; page < historyPages; page++ {
		h, err := b.api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return "", false, err
		}
		for _, m := range h.Messages {
			if match(m) {
				return m.Timestamp, true, nil
			}
		}
		if !h.HasMore || h.ResponseMetaData.NextCursor == "" {
			break
		}
		params.Cursor = h.ResponseMetaData.NextCursor
	}
	return "", false, nil
}

// schedulePost makes posting msg a durable job: stored first, then posted once by
// whoever holds the job, retried until it is done. The key names the post: scheduling
// the same key again, even after it was posted, posts nothing more.
func (b *Bot) schedulePost(ctx context.Context, key, channel string, msg views.Message) error {
	blocks, err := json.Marshal(msg.Blocks)
	if err != nil {
		return fmt.Errorf("encode post %s: %w", key, err)
	}
	return b.cfg.Scheduler.Now(ctx, mentor.Job{Key: "post:" + key, Kind: JobPost,
		Data: map[string]string{"channel": channel, "text": msg.Text, "blocks": string(blocks), "key": key}}, mentor.ScheduleKeep)
}

func (b *Bot) performPost(ctx context.Context, j mentor.Job) error {
	msg := views.Message{Text: j.Data["text"]}
	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(j.Data["blocks"]), &blocks); err != nil {
		return fmt.Errorf("decode blocks of %s: %w", j.Key, err)
	}
	msg.Blocks = blocks.BlockSet
	channel := j.Data["channel"]
	if channel == "committee" {
		channel = b.committee.Channel()
	}
	_, err := b.postOnce(ctx, channel, msg, j.Data["key"], j.Retried(), j.CreatedAt)
	return err
}

// scheduleOpenDuo makes opening duo duoID a durable job and starts it now.
func (b *Bot) scheduleOpenDuo(ctx context.Context, c mentor.Cycle, duoID string) error {
	return b.cfg.Scheduler.Now(ctx, openDuoJob(c, duoID), mentor.ScheduleKeep)
}

// openDuoJob is the job opening duo duoID of cycle c.
func openDuoJob(c mentor.Cycle, duoID string) mentor.Job {
	return mentor.Job{Key: "open-duo:" + c.ID + ":" + duoID, Kind: JobOpenDuo, Data: map[string]string{"cycle": c.ID, "duo": duoID}}
}

// performOpenDuo opens a duo: each step is recorded as it finishes, so a retry goes
// on where the last attempt stopped; posts are looked up before being repeated. The
// first failure is reported to the committee (once); the job then retries by itself
// and the duo shows on the committee's Home until it is open.
func (b *Bot) performOpenDuo(ctx context.Context, j mentor.Job) error {
	c, _, err := b.program.Get(ctx, j.Data["cycle"])
	if mentor.ErrorCode(err) == mentor.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	d, err := b.pairing.Open(ctx, c, j.Data["duo"], &workspace{b: b, look: j.Retried(), since: j.CreatedAt})
	switch {
	case err == nil:
		b.cfg.Duos.ChannelOpened(d.ChannelID)
		if err := b.cfg.Nudges.PlanDuo(ctx, c, d); err != nil {
			return err
		}
		b.refreshHomes(ctx, d.MenteeID, d.MentorID)
		return nil
	case mentor.ErrorCode(err) == mentor.ENOTFOUND:
		return nil // the duo is gone
	case errors.Is(err, pairing.ErrBusy):
		return scheduler.Later(b.cfg.Clock.Now().Add(time.Minute))
	}
	if _, ok := slackapi.DeferUntil(err); !ok && d.ID != "" {
		// Once per duo: the post's key is the duo's, so later failures post nothing.
		if perr := b.schedulePost(ctx, "setup-stopped:"+d.ID, "committee", views.DuoSetupFailed(c, d)); perr != nil {
			b.log.Error("could not report a stopped duo opening", "duo", d.ID, "err", perr)
		}
	}
	return err
}

// performAgreementPost posts a version of an agreement in the duo channel for both to
// sign, records where, and marks the version before it replaced.
func (b *Bot) performAgreementPost(ctx context.Context, j mentor.Job) error {
	c, d, err := b.jobDuo(ctx, j)
	if err != nil || d.ID == "" {
		return err
	}
	v, _ := strconv.Atoi(j.Data["version"])
	a, err := b.cfg.Duos.Agreement(ctx, c.ID, d.ID, v)
	if err != nil {
		return err
	}
	cur, err := b.cfg.Duos.Agreement(ctx, c.ID, d.ID, 0)
	if err != nil {
		return err
	}
	if cur.Version > v && a.PostTS == "" {
		return nil // replaced before it was ever posted: nothing to show or void
	}
	if a.PostTS == "" {
		ts, err := b.postOnce(ctx, d.ChannelID, views.AgreementPost(c, d, a), fmt.Sprintf("agreement:%s:v%d", d.ID, v), j.Retried(), j.CreatedAt)
		if err != nil {
			return err
		}
		if err := b.cfg.Duos.AgreementPosted(ctx, c.ID, d.ID, v, ts); err != nil {
			return err
		}
		// Replaced while it was being posted: the next version's job may have
		// found nothing to mark, so mark it now.
		if now, err := b.cfg.Duos.Agreement(ctx, c.ID, d.ID, 0); err == nil && now.Version > v {
			if err := b.scheduleRedraw(ctx, c, d, agreementRedraw(v)); err != nil {
				return err
			}
		}
	}
	if v > 1 { // the version before now says it was replaced
		if err := b.scheduleRedraw(ctx, c, d, agreementRedraw(v-1)); err != nil {
			return err
		}
	}
	b.refreshHomes(ctx, d.MenteeID, d.MentorID)
	return nil
}

// performAgreementRecord sends a signed agreement to the committee.
func (b *Bot) performAgreementRecord(ctx context.Context, j mentor.Job) error {
	c, d, err := b.jobDuo(ctx, j)
	if err != nil || d.ID == "" {
		return err
	}
	v, _ := strconv.Atoi(j.Data["version"])
	a, err := b.cfg.Duos.Agreement(ctx, c.ID, d.ID, v)
	if err != nil || a.CommitteeTS != "" {
		return ignoreGone(err) // gone, or sent already
	}
	ts, err := b.postOnce(ctx, b.committee.Channel(), views.AgreementForCommittee(c, d, a), fmt.Sprintf("agreement-record:%s:v%d", d.ID, v), j.Retried(), j.CreatedAt)
	if err != nil {
		return err
	}
	return b.cfg.Duos.AgreementRecorded(ctx, c.ID, d.ID, v, ts)
}

// performConcernPost posts a concern to the committee with its buttons (or its
// decision, when the committee decided before the post went out).
func (b *Bot) performConcernPost(ctx context.Context, j mentor.Job) error {
	c, _, err := b.program.Get(ctx, j.Data["cycle"])
	if err != nil {
		return ignoreGone(err)
	}
	k, d, err := b.cfg.Duos.Concern(ctx, c.ID, j.Data["concern"])
	if err != nil || k.PostTS != "" {
		return ignoreGone(err) // gone, or posted already
	}
	msg := views.ConcernForCommittee(c, d, k)
	if k.State != mentor.ConcernOpen {
		msg = views.ConcernDecided(c, d, k)
	}
	ts, err := b.postOnce(ctx, b.committee.Channel(), msg, "concern:"+k.ID, j.Retried(), j.CreatedAt)
	if err != nil {
		return err
	}
	return b.cfg.Duos.ConcernPosted(ctx, c.ID, k.ID, ts)
}

// performDissolve schedules each side effect of a dissolved duo as a job of its own
// (a DM to each member, then the channel's archiving), so each happens once.
func (b *Bot) performDissolve(ctx context.Context, j mentor.Job) error {
	c, d, err := b.jobDuo(ctx, j)
	if err != nil || d.ID == "" {
		return err
	}
	k, _, err := b.cfg.Duos.Concern(ctx, c.ID, j.Data["concern"])
	if err != nil {
		return ignoreGone(err)
	}
	toPool := duos.ToPool(d, k)
	for _, u := range []string{d.MenteeID, d.MentorID} {
		if err := b.cfg.Scheduler.Now(ctx, mentor.Job{Key: "dissolved-dm:" + c.ID + ":" + d.ID + ":" + u, Kind: JobDissolvedDM,
			Data: map[string]string{"cycle": c.ID, "duo": d.ID, "user": u,
				"pool": strconv.FormatBool(toPool[u]), "ask": strconv.FormatBool(u != k.From)}}, mentor.ScheduleKeep); err != nil {
			return err
		}
	}
	return b.cfg.Scheduler.Now(ctx, mentor.Job{Key: "archive:" + c.ID + ":" + d.ID, Kind: JobArchive,
		Data: map[string]string{"cycle": c.ID, "duo": d.ID}}, mentor.ScheduleKeep)
}

func (b *Bot) performDissolvedDM(ctx context.Context, j mentor.Job) error {
	c, d, err := b.jobDuo(ctx, j)
	if err != nil || d.ID == "" {
		return err
	}
	u := j.Data["user"]
	msg := views.DuoDissolvedDM(c, d, u, j.Data["pool"] == "true", j.Data["ask"] == "true")
	if _, err := b.postOnce(ctx, u, msg, "dissolved:"+d.ID+":"+u, j.Retried(), j.CreatedAt); err != nil {
		return err
	}
	b.refreshHomes(ctx, u)
	return nil
}

func (b *Bot) performArchive(ctx context.Context, j mentor.Job) error {
	_, d, err := b.jobDuo(ctx, j)
	if err != nil || d.ID == "" || d.ChannelID == "" {
		return err
	}
	err = b.api.ArchiveConversationContext(ctx, d.ChannelID)
	if slackapi.Is(err, slackapi.AlreadyArchived) || slackapi.Is(err, slackapi.ChannelNotFound) {
		return nil
	}
	return err
}

// jobDuo loads the cycle and duo a job names; d.ID is empty when either is gone (the
// job is then done: nothing left to do).
func (b *Bot) jobDuo(ctx context.Context, j mentor.Job) (mentor.Cycle, mentor.Duo, error) {
	c, _, err := b.program.Get(ctx, j.Data["cycle"])
	if err != nil {
		return c, mentor.Duo{}, ignoreGone(err)
	}
	d, err := b.cfg.Duos.Duo(ctx, c.ID, j.Data["duo"])
	if err != nil {
		return c, mentor.Duo{}, ignoreGone(err)
	}
	return c, d, nil
}

func ignoreGone(err error) error {
	if mentor.ErrorCode(err) == mentor.ENOTFOUND {
		return nil
	}
	return err
}

// Nudge sends a nudge (nudges.Notifier): a DM to its person, or a post in the
// committee channel, once.
func (b *Bot) Nudge(ctx context.Context, n nudges.Nudge) error {
	channel := n.To
	if channel == "" {
		channel = b.committee.Channel()
	}
	_, err := b.postOnce(ctx, channel, views.NudgeMessage(n), n.ID, n.Uncertain, time.Time{})
	return err
}

// What a redraw job redraws (its Data["what"]): the welcome checklist, the post of
// agreement version N ("agreement-v<N>"), or the close-out message.
const (
	redrawWelcome  = "welcome"
	redrawCloseout = "closeout"
)

// agreementRedraw names the redraw of agreement version v (0: the welcome).
func agreementRedraw(v int) string {
	if v == 0 {
		return redrawWelcome
	}
	return "agreement-v" + strconv.Itoa(v)
}

// scheduleRedraw has a message of duo d redrawn from what is stored (what: see
// above). A redraw is repeatable, so the latest request simply replaces any
// pending one.
func (b *Bot) scheduleRedraw(ctx context.Context, c mentor.Cycle, d mentor.Duo, what string) error {
	return b.cfg.Scheduler.Now(ctx, mentor.Job{Key: "redraw:" + c.ID + ":" + d.ID + ":" + what, Kind: JobRedraw,
		Data: map[string]string{"cycle": c.ID, "duo": d.ID, "what": what}}, mentor.ScheduleReplace)
}

func (b *Bot) performRedraw(ctx context.Context, j mentor.Job) error {
	c, d, err := b.jobDuo(ctx, j)
	if err != nil || d.ID == "" || d.ChannelID == "" {
		return err
	}
	what := j.Data["what"]
	if what == "" { // a job stored by a replica of before "what" (only "version")
		v, _ := strconv.Atoi(j.Data["version"])
		what = agreementRedraw(v)
	}
	var v int
	switch {
	case what == redrawCloseout:
		return b.redrawCloseout(ctx, c, d)
	case what == redrawWelcome:
		return b.redrawWelcome(ctx, c, d)
	default:
		v, _ = strconv.Atoi(strings.TrimPrefix(what, "agreement-v"))
	}
	a, err := b.cfg.Duos.Agreement(ctx, c.ID, d.ID, v)
	if err != nil || a.PostTS == "" {
		return ignoreGone(err) // not posted yet: its post will show the signatures
	}
	cur, err := b.cfg.Duos.Agreement(ctx, c.ID, d.ID, 0)
	if err != nil {
		return err
	}
	msg := views.AgreementPost(c, d, a)
	if cur.Version > v {
		msg = views.AgreementReplaced(c, d, a, cur.Version)
	}
	err = b.reply.Update(ctx, d.ChannelID, a.PostTS, msg)
	if slackapi.Is(err, slackapi.MessageNotFound) {
		return nil
	}
	return err
}
