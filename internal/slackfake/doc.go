// Package slackfake is a Slack-compatible server for tests and for the local
// sandbox: a real HTTP server on loopback that speaks the Slack Web API
// (POST /api/<method>) and the Socket Mode websocket protocol (/link/), so the
// real bot, built on slack-go's slack.Client and socketmode.Client, runs
// against it through the same bytes Slack would send.
//
// The model is net/http/httptest: nothing is mocked inside the bot. A test
// builds a workspace (AddUser, AddChannel), points the bot at APIURL(), and
// then acts as the people in the workspace (SlashCommand, SubmitView,
// ClickButton, UserMessage, ...). Each of those sends a Socket Mode envelope
// and waits for the bot's ack, like Slack's 3 second contract. What the bot
// did in return (messages, ephemerals, modals, files, Web API calls) is
// inspected with Messages, Ephemerals, OpenViews, Calls, ... and awaited with
// Wait, which re-evaluates its condition after every state change, so tests
// never sleep.
//
// Every view and every message's blocks are checked against Slack's Block Kit
// limits (see ValidateView and ValidateMessageBlocks). A violating call is
// answered the way Slack answers it and is also recorded in Violations, so a
// test can fail on any Block Kit mistake even when the bot swallowed the
// error.
//
// The Web API methods the bot uses are implemented with Slack's errors and
// limits (see apiMethods in webapi.go), among them conversations.history
// (newest first, thread parents only, metadata only with
// include_all_metadata) and conversations.list (private channels only when
// the bot is a member). Slack's throttling of conversations.history to one
// call a minute for unlisted apps is not applied by default: model it with
// SetRateLimit.
//
// Tokens carry scopes as Slack's do: every answer to an authenticated call
// names the token's scopes in the X-OAuth-Scopes header, and a method whose
// scope is missing (for the kind of channel it names) answers missing_scope.
// The bot token has every scope the fake's methods need unless SetScopes
// grants others (a test of an app's manifest grants exactly its scopes), and
// SetTokenKind takes a token for another kind (a bot token where the app-level
// token belongs: not_allowed_token_type) or revokes it (invalid_auth).
//
// Failures the bot must survive are injected per method: FailNext (an
// ok:false answer), RateLimitNext, SetRateLimit and SetRateLimitPerChannel
// (HTTP 429 with Retry-After), FailNextHTTP (an HTTP 5xx, nothing done),
// FailNextAfterEffect (the work is done but the answer is lost: the
// ambiguous failure), TimeoutNext (no answer until the client gives up),
// and OnCall, which runs test code after a call's effect and before its
// answer. Every call, injected failures and 429s included, is recorded
// (Calls, CallCount), with Call.Fault naming what shaped its answer.
//
// The package has no package-level mutable state and every method of Server is
// safe for concurrent use. It does not import testing: test helpers that take
// a testing.TB live in package slackfaketest.
package slackfake
