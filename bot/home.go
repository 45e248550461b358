package bot

import (
	"context"
	"strconv"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// handleHomeOpened publishes App Home when the person opens its Home tab.
func (b *Bot) handleHomeOpened(ctx context.Context, ev *slackevents.EventsAPIEvent) error {
	e, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
	if !ok || e.Tab != "home" {
		return nil
	}
	return b.publishHome(ctx, e.User, 0)
}

// publishHome renders App Home for userID; committee members see page `page` of the
// pending sign-ups and the first page of duos.
func (b *Bot) publishHome(ctx context.Context, userID string, page int) error {
	return b.publishHomePages(ctx, userID, page, 0)
}

// publishHomePages is publishHome with the page of the committee's duo list.
func (b *Bot) publishHomePages(ctx context.Context, userID string, page, duoPage int) error {
	member, err := b.committee.IsMember(ctx, userID)
	if err != nil {
		b.log.Warn("home without committee membership", "user", userID, "err", err)
	}
	info := views.HomeInfo{Now: b.cfg.Clock.Now()}
	c, _, err := b.program.Active(ctx)
	switch {
	case mentor.ErrorCode(err) == mentor.ENOTFOUND:
		info.NoCycle = true
		if member {
			info.Committee = &views.CommitteeHome{}
		}
	case err != nil:
		return err
	default:
		if info.Standing, err = b.standing(ctx, c, userID); err != nil {
			return err
		}
		if member {
			if info.Committee, err = b.committeeHome(ctx, c, page, duoPage); err != nil {
				return err
			}
		}
	}
	_, err = b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: *views.Home(info)})
	return err
}

func (b *Bot) committeeHome(ctx context.Context, c mentor.Cycle, page, duoPage int) (*views.CommitteeHome, error) {
	o, err := b.signup.Overview(ctx, c.ID, page, views.HomePageSize)
	if err != nil {
		return nil, err
	}
	h := &views.CommitteeHome{Counts: o.Counts, Pending: o.Pending, Page: o.Page, Total: o.Total}
	dv, err := b.cfg.Duos.CommitteeView(ctx, c, duoPage, views.HomeDuoPageSize)
	if err != nil {
		return nil, err
	}
	h.Duos, h.DuoPage, h.DuoTotal, h.OpenConcerns = dv.Duos, dv.Page, dv.Total, dv.OpenConcerns
	var members []string
	for _, d := range h.Duos {
		members = append(members, d.MenteeID, d.MentorID)
	}
	if h.Evaluated, err = b.evaluatedAmong(ctx, c.ID, members); err != nil {
		return nil, err
	}
	jobs, total, err := b.cfg.Scheduler.Jobs(ctx, JobOpenDuo, views.HomeOpeningMax)
	if err != nil {
		return nil, err
	}
	h.OpeningTotal = total
	var ids []string
	jobErr := map[string]string{}
	for _, j := range jobs {
		if j.Data["cycle"] == c.ID {
			ids = append(ids, j.Data["duo"])
			jobErr[j.Data["duo"]] = j.LastError
		}
	}
	opening, err := b.pairing.Duos(ctx, c.ID, ids) // one round trip
	if err != nil {
		return nil, err
	}
	for _, d := range opening {
		if d.Setup.Done() {
			continue
		}
		if d.Setup.LastError == "" {
			d.Setup.LastError = jobErr[d.ID]
		}
		h.Opening = append(h.Opening, d)
	}
	if _, h.FailingSteps, err = b.cfg.Scheduler.Failing(ctx, 0); err != nil {
		return nil, err
	}
	if b.cfg.Report != nil {
		f, err := b.cfg.Report.Funnel(ctx, c) // cached: at most one full read a minute
		if err != nil {
			return nil, err
		}
		h.Funnel = &f
	}
	return h, nil
}

// handleHomeDuoPage shows another page of the committee's duo list.
func (b *Bot) handleHomeDuoPage(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	if err := b.requireCommittee(ctx, cb.User.ID); err != nil {
		return err
	}
	page, _ := strconv.Atoi(act.Value)
	return b.publishHomePages(ctx, cb.User.ID, 0, page)
}

// handleHomeJoin opens the sign-up modal from App Home.
func (b *Bot) handleHomeJoin(ctx context.Context, cb *slack.InteractionCallback, _ *slack.BlockAction) error {
	return b.openJoin(ctx, cb.TriggerID, cb.User.ID)
}

// handleHomeLeave opens the confirmation to leave.
func (b *Bot) handleHomeLeave(ctx context.Context, cb *slack.InteractionCallback, _ *slack.BlockAction) error {
	c, err := b.activeCycle(ctx, cb.User.ID)
	if err != nil {
		return err
	}
	p, err := b.signup.Get(ctx, c.ID, cb.User.ID)
	if err != nil {
		return err
	}
	_, err = b.api.OpenViewContext(ctx, cb.TriggerID, *views.LeaveModal(p))
	return err
}

// handleHomeRefresh redraws App Home.
func (b *Bot) handleHomeRefresh(ctx context.Context, cb *slack.InteractionCallback, _ *slack.BlockAction) error {
	return b.publishHome(ctx, cb.User.ID, 0)
}

// handleHomePage shows another page of pending sign-ups (committee only).
func (b *Bot) handleHomePage(ctx context.Context, cb *slack.InteractionCallback, act *slack.BlockAction) error {
	if err := b.requireCommittee(ctx, cb.User.ID); err != nil {
		return err
	}
	page, _ := strconv.Atoi(act.Value)
	return b.publishHome(ctx, cb.User.ID, page)
}

// requireCommittee refuses people outside the committee.
func (b *Bot) requireCommittee(ctx context.Context, userID string) error {
	member, err := b.committee.IsMember(ctx, userID)
	if err != nil {
		return err
	}
	if !member {
		return mentor.Errorf(mentor.EFORBIDDEN, "This is for the mentorship committee. If you think you should have access, ask to be added to the committee channel.")
	}
	return nil
}
