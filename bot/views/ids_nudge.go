package views

// Nudges and durable posts.
const (
	ActionNudgeAgreement = "nudge_agreement" // a nudge's "Write our agreement" (value: cycle|duo)
	ActionNudgeEvaluate  = "nudge_evaluate"  // a nudge's "Evaluate the program" (value: cycle)
	ActionOpenChannel    = "open_channel"    // a link button to a channel (no handler needed)
	BlockHomeFailing     = "home_failing"    // committee Home: Slack steps waiting to be retried
	ActionPairRefresh    = "pair_refresh"    // pairing modal: redraw the page with the duos' progress (value: page)

	// PostMetadataType is the event_type of the metadata of the bot's posts that must
	// happen once (welcome, DMs, committee records); the payload's "key" names the post.
	PostMetadataType = "mentorbot_post"
)
