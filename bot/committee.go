package bot

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
)

// committeeTTL is how long a fetched member list is trusted. Membership changes are
// also caught by member_joined_channel / member_left_channel events: the replica that
// gets one bumps the shared generation, and every replica drops its list at its next
// request. While Slack cannot be asked, a list of the current generation up to
// committeeStaleMax old is still used; after that committee commands are refused.
// readyTTL is how long a verdict on the committee channel serves /readyz.
const (
	committeeTTL      = time.Minute
	committeeStaleMax = 5 * time.Minute
	readyTTL          = 30 * time.Second
)

// CommitteeStore shares the committee's member list between replicas (in Redis): a
// generation that membership changes bump, and the last list fetched from Slack with
// its generation. A list is only used in the generation it was fetched in.
type CommitteeStore interface {
	// CommitteeMembers returns the stored list and when it was fetched; ok is false
	// when none of the current generation is stored. gen is the current generation.
	CommitteeMembers(ctx context.Context, channel string) (members []string, fetched time.Time, gen int64, ok bool, err error)
	// SaveCommitteeMembers stores a list fetched in generation gen, unless the
	// generation has moved on since.
	SaveCommitteeMembers(ctx context.Context, channel string, gen int64, members []string, fetched time.Time) (bool, error)
	// BumpCommittee starts a new generation: every stored list is out of date.
	BumpCommittee(ctx context.Context) error
}

// Committee answers "is this person on the committee?": a member of the committee's
// private channel. The member list is a cache of Slack's truth shared by the replicas
// through a CommitteeStore, so a removal seen by one replica is seen by all at their
// next request. While the store cannot be reached, the process's own last list serves.
type Committee struct {
	api     *slack.Client
	channel string
	clock   clock.Clock
	store   CommitteeStore // nil: the process's own cache only

	mu      sync.Mutex
	members map[string]bool // the last list this process used
	fetched time.Time
	loading chan struct{} // closed when the current fetch ends; nil when idle
	botName string        // for the hint of a failed readiness check
	checked time.Time     // when ready was decided
	ready   error         // the last verdict of Ready
}

// NewCommittee returns the membership checker of channel. store may be nil.
func NewCommittee(api *slack.Client, channel string, c clock.Clock, store CommitteeStore) *Committee {
	return &Committee{api: api, channel: channel, clock: c, store: store}
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

// Members returns the set of committee member ids (do not modify it). It costs one
// round trip to the store, and a Slack call when the stored list is missing, old or
// of an earlier generation.
func (c *Committee) Members(ctx context.Context) (map[string]bool, error) {
	for {
		shared, sharedAt, gen, ok, storeErr := c.shared(ctx)
		now := c.clock.Now()
		if storeErr == nil && ok && now.Sub(sharedAt) < committeeTTL {
			c.mu.Lock()
			c.members, c.fetched = shared, sharedAt
			c.mu.Unlock()
			return shared, nil
		}
		c.mu.Lock()
		if storeErr != nil && c.members != nil && now.Sub(c.fetched) < committeeTTL {
			m := c.members
			c.mu.Unlock()
			return m, nil
		}
		if c.loading != nil {
			wait := c.loading
			c.mu.Unlock()
			select {
			case <-wait:
				continue // the fetch stored a list: read it
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		c.loading = done
		c.mu.Unlock()

		members, err := c.fetch(ctx)
		fetched := c.clock.Now()
		if err == nil && storeErr == nil {
			ids := make([]string, 0, len(members))
			for id := range members {
				ids = append(ids, id)
			}
			// Not stored when the generation moved meanwhile: the next
			// request fetches again. A store error only costs sharing.
			c.store.SaveCommitteeMembers(ctx, c.channel, gen, ids, fetched)
		}

		c.mu.Lock()
		c.loading = nil
		close(done)
		if err == nil {
			c.members, c.fetched = members, fetched
		}
		var stale map[string]bool
		switch {
		case storeErr == nil && ok && fetched.Sub(sharedAt) <= committeeStaleMax:
			stale = shared // of the current generation
		case storeErr != nil && c.members != nil && fetched.Sub(c.fetched) <= committeeStaleMax:
			stale = c.members
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

// shared reads the stored list; without a store it is an error, so the process's own
// cache serves.
func (c *Committee) shared(ctx context.Context) (map[string]bool, time.Time, int64, bool, error) {
	if c.store == nil {
		return nil, time.Time{}, 0, false, errNoStore
	}
	ids, at, gen, ok, err := c.store.CommitteeMembers(ctx, c.channel)
	if err != nil || !ok {
		return nil, at, gen, false, err
	}
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m, at, gen, true, nil
}

var errNoStore = errors.New("no committee store")

// Changed is called on a membership change of the committee channel: it bumps the
// shared generation, so every replica asks Slack at its next request, and forgets the
// process's own list and readiness verdict.
func (c *Committee) Changed(ctx context.Context) error {
	c.mu.Lock()
	c.members = nil
	c.checked = time.Time{}
	c.mu.Unlock()
	if c.store == nil {
		return nil
	}
	return c.store.BumpCommittee(ctx)
}

// SetBotName names the bot in the hints of Ready (from the start-up check).
func (c *Committee) SetBotName(name string) {
	c.mu.Lock()
	c.botName = name
	c.mu.Unlock()
}

// Ready reports whether the committee channel can still be used: a private channel,
// not archived, with the bot in it (CheckCommitteeChannel). The verdict is kept for
// readyTTL, so /readyz costs Slack at most one call per process that often; while
// Slack cannot be reached the previous verdict stands.
func (c *Committee) Ready(ctx context.Context) error {
	c.mu.Lock()
	if !c.checked.IsZero() && c.clock.Now().Sub(c.checked) < readyTTL {
		err := c.ready
		c.mu.Unlock()
		return err
	}
	name := c.botName
	c.mu.Unlock()
	err := CheckCommitteeChannel(ctx, c.api, c.channel, name)
	var setup *SetupError
	if err != nil && !errors.As(err, &setup) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.ready // Slack unreachable: not the channel's fault
	}
	c.mu.Lock()
	c.checked, c.ready = c.clock.Now(), err
	c.mu.Unlock()
	return err
}

// tellCommittee posts msg in the committee channel.
func (b *Bot) tellCommittee(ctx context.Context, msg views.Message) error {
	_, err := b.reply.Post(ctx, b.committee.Channel(), msg)
	return err
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
