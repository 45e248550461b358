package bot

import (
	"context"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/clock"
	"github.com/mentorbot/mentorbot/internal/mentor"
	"github.com/mentorbot/mentorbot/internal/slackfake"
	"github.com/mentorbot/mentorbot/internal/slackfake/slackfaketest"
)

func TestCommitteeMembershipIsCachedBrieflyAndFailsClosedWhenStale(t *testing.T) {
	fake := slackfaketest.New(t)
	fake.AddUser(slackfake.User{ID: "U0ALICE", Name: "alice"})
	slackfaketest.MustChannel(t, fake, slackfake.Channel{ID: "C0COMMITTEE", Name: "committee", Private: true, Members: []string{"U0ALICE", fake.Options().BotUserID}})
	api := slack.New(fake.Options().BotToken, slack.OptionAPIURL(fake.APIURL()))
	clk := clock.NewSettable(time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC))
	c := NewCommittee(api, "C0COMMITTEE", clk, nil) // the process's own cache
	ctx := context.Background()

	isMember := func(user string) (bool, error) { t.Helper(); return c.IsMember(ctx, user) }
	if ok, err := isMember("U0ALICE"); !ok || err != nil {
		t.Fatalf("alice: %v %v", ok, err)
	}
	if ok, _ := isMember("U0BOB"); ok {
		t.Fatal("bob is not on the committee")
	}
	if n := fake.CallCount("conversations.members"); n != 1 {
		t.Fatalf("%d fetches for three checks within the minute, want 1", n)
	}

	// After the TTL Slack is asked again; while it fails, a list a few minutes old
	// still answers…
	clk.Advance(2 * time.Minute)
	fake.FailNext("conversations.members", "internal_error")
	if ok, err := isMember("U0ALICE"); !ok || err != nil {
		t.Fatalf("stale list not used while Slack fails: %v %v", ok, err)
	}
	// …but not one older than committeeStaleMax: committee commands are refused.
	clk.Advance(committeeStaleMax)
	fake.FailNext("conversations.members", "internal_error")
	if _, err := isMember("U0ALICE"); mentor.ErrorCode(err) != mentor.EUNAVAILABLE {
		t.Fatalf("a %v-old list was trusted: %v", 2*time.Minute+committeeStaleMax, err)
	}
	// A membership change makes the next check ask Slack at once.
	if err := c.Changed(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := isMember("U0ALICE"); !ok || err != nil {
		t.Fatalf("after a change: %v %v", ok, err)
	}
}
