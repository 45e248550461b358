package slackfake_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/slackfake"
)

// A whole flow, as an end-to-end test of the bot reads (in tests, prefer
// slackfaketest.New(t), which also fails the test on Block Kit violations).
// The bot itself is started elsewhere with SLACK_API_URL=srv.APIURL() and
// the tokens of srv.Options().
func Example() {
	srv, err := slackfake.New(slackfake.DefaultOptions())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	alice := srv.AddUser(slackfake.User{ID: "U01ALICE01", Name: "alice", TZ: "Europe/Berlin", TZOffset: 7200})
	general, _ := srv.AddChannel(slackfake.Channel{Name: "general", Members: []string{alice.ID}})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// ... start the bot against srv.APIURL() here ...
	if err := srv.WaitConnected(ctx, 1); err != nil {
		log.Fatal(err)
	}

	// Alice runs /mentorship join; the bot opens the sign-up modal.
	if _, err := srv.SlashCommand(ctx, alice.ID, general.ID, "join"); err != nil {
		log.Fatal(err)
	}
	modal, err := srv.WaitForView(ctx, alice.ID, func(v slackfake.View) bool { return v.CallbackID == "join" })
	if err != nil {
		log.Fatal(err)
	}
	res, err := srv.SubmitView(ctx, alice.ID, modal.ID, slackfake.Values{
		"role":  {"role_select": slackfake.Option("mentee")},
		"needs": {"needs_input": slackfake.Text("Learn cataloguing")},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Errors, res.Closed)

	// The bot confirms by DM.
	dm, err := srv.WaitForDM(ctx, alice.ID, func(m slackfake.Message) bool {
		return strings.Contains(m.AllText(), "You're in")
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(dm.Text)
}

// The ambiguous failure: Slack created the channel, but the answer was
// lost. A bot that simply retries finds the name taken.
func ExampleServer_FailNextAfterEffect() {
	srv, err := slackfake.New(slackfake.DefaultOptions())
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	api := slack.New(srv.Options().BotToken, slack.OptionAPIURL(srv.APIURL()))
	params := slack.CreateConversationParams{ChannelName: "duo-alice-bob", IsPrivate: true}

	srv.FailNextAfterEffect("conversations.create", http.StatusServiceUnavailable)
	_, err = api.CreateConversation(params)
	fmt.Println(err)
	_, created := srv.ChannelByName("duo-alice-bob")
	fmt.Println("created:", created)
	_, err = api.CreateConversation(params)
	fmt.Println(err)
	// Output:
	// slack server error: 503 Service Unavailable
	// created: true
	// name_taken
}
