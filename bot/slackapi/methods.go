package slackapi

import (
	"time"
)

// postMessage is the one method paced per channel rather than per method.
const postMessage = "chat.postMessage"

// defaultLimit returns the pacing of a Web API method, by Slack's rate-limit tiers
// (per method and workspace); tier 3 when the method is not listed. The bursts are
// ours: Slack tolerates short bursts but does not publish their size.
func defaultLimit(method string) Limit {
	switch method {
	case postMessage: // about one message a second, per channel, "generous bursts"
		return Limit{Every: time.Second, Burst: 10}
	case "conversations.create", "conversations.archive", "conversations.list", "users.list":
		return Limit{Every: 3 * time.Second, Burst: 5} // tier 2: 20 a minute
	case "chat.postEphemeral",
		"views.open", "views.update", "views.push", "views.publish",
		"users.info", "conversations.members", "auth.test",
		"files.getUploadURLExternal", "files.completeUploadExternal", "files.info", "files.delete":
		return Limit{Every: 600 * time.Millisecond, Burst: 10} // tier 4: 100 a minute
	}
	return Limit{Every: 1200 * time.Millisecond, Burst: 10} // tier 3: 50 a minute
}

// retrySafe reports whether sending method again after a 5xx or a lost connection
// cannot do anything twice: reads, and writes whose repetition lands in the same state
// (a repeated invite or archive answers already_in_channel / already_archived, which
// callers take as done). Posting, creating, opening and pushing views, uploading are not:
// their callers decide, with a lookup first (see Ambiguous). views.update and
// views.publish are safe only without a hash (see hashed).
func retrySafe(method string) bool {
	switch method {
	case "conversations.history", "conversations.replies", "conversations.list",
		"conversations.info", "conversations.members",
		"users.info", "users.list", "users.lookupByEmail", "users.conversations",
		"auth.test", "team.info", "bots.info", "chat.getPermalink",
		"apps.connections.open",
		"views.update", "views.publish", "chat.update",
		"conversations.invite", "conversations.archive":
		return true
	}
	return false
}

// conditional reports whether method may carry a hash that makes a repeat fail: a
// views.update or views.publish that took effect, sent again with the same hash, gets
// hash_conflict instead of its success.
func conditional(method string) bool {
	return method == "views.update" || method == "views.publish"
}
