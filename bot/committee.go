package bot

import (
	"context"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// committeeTTL is how long a fetched member list is trusted. Membership changes are
// also caught by member_joined_channel / member_left_channel events, which Forget it
// on the replica that gets the event. While Slack cannot be asked, a list up to
// committeeStaleMax old is still used; after that committee commands are refused.
const (
	committeeTTL      = time.Minute
	committeeStaleMax = 5 * time.Minute
)

// Committee answers "is this person on the committee?": a member of the committee's
// private channel. The member list is cached briefly per process; it is a cache of
// Slack's truth, not program state, so it does not need to live in Redis.
type Committee struct {
	api     *slack.Client
	channel string
	clock   clock.Clock

	mu      sync.Mutex
	members map[string]bool
	fetched time.Time
	loading chan struct{} // closed when the current fetch ends; nil when idle
}

// NewCommittee returns the membership checker of channel.
func NewCommittee(api *slack.Client, channel string, c clock.Clock) *Committee {
	return &Committee{api: api, channel: channel, clock: c}
}

// Channel returns the committee channel's ID.
func (c *Committee) Channel() string { return c.channel }

// IsMember reports whether userID is on the committee. Concurrent callers share one
// fetch. When Slack cannot be asked, a stale list is used if there is one; otherwise
// the error is mentor.EUNAVAILABLE.
func (c *Committee) IsMember(ctx context.Context, userID string) (bool, error) {
	members, err := c.Members(ctx)
	if err != nil {
		return false, err
	}
	return members[userID], nil
}

// Members returns the set of committee member ids (do not modify it).
func (c *Committee) Members(ctx context.Context) (map[string]bool, error) {
	for {
		c.mu.Lock()
		if c.members != nil && c.clock.Now().Sub(c.fetched) < committeeTTL {
			m := c.members
			c.mu.Unlock()
			return m, nil
		}
		if c.loading != nil {
			wait := c.loading
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		c.loading = done
		c.mu.Unlock()

		members, err := c.fetch(ctx)

		c.mu.Lock()
		c.loading = nil
		close(done)
		if err == nil {
			c.members, c.fetched = members, c.clock.Now()
		}
		stale := c.members
		if c.clock.Now().Sub(c.fetched) > committeeStaleMax {
			stale = nil
		}
		c.mu.Unlock()
		switch {
		case err == nil:
			return members, nil
		case stale != nil:
			return stale, nil
		default:
			return nil, &mentor.Error{Code: mentor.EUNAVAILABLE,
				Message: "mentorbot couldn't check the committee's membership with Slack. Please try again in a minute.", Err: err}
		}
	}
}

// tellCommittee posts msg in the committee channel.
func (b *Bot) tellCommittee(ctx context.Context, msg views.Message) error {
	_, err := b.reply.Post(ctx, b.committee.Channel(), msg)
	return err
}

// Forget drops the cached list, so the next check asks Slack.
func (c *Committee) Forget() {
	c.mu.Lock()
	c.members = nil
	c.mu.Unlock()
}

func (c *Committee) fetch(ctx context.Context) (map[string]bool, error) {
	members := map[string]bool{}
	params := &slack.GetUsersInConversationParameters{ChannelID: c.channel, Limit: 1000}
	for {
		ids, next, err := c.api.GetUsersInConversationContext(ctx, params)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			members[id] = true
		}
		if next == "" {
			return members, nil
		}
		params.Cursor = next
	}
}
