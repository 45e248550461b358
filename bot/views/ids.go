package views

// Callback ids of modals and home, action ids of interactive elements. Every id the
// bot listens for is here; routes.go maps them to handlers.
const (
	// Modals.
	CallbackProgram = "program"
	CallbackJoin    = "join"
	CallbackLeave   = "leave"

	// Actions.
	ActionJoinRole     = "join_role"     // role radio in the join modal (dispatches)
	ActionHomeJoin     = "home_join"     // App Home: open the join modal
	ActionHomeLeave    = "home_leave"    // App Home: leave the program
	ActionHomeStatus   = "home_refresh"  // App Home: refresh
	ActionHomeProgram  = "home_program"  // App Home (committee): edit the cycle
	ActionHomeMatch    = "home_match"    // App Home (committee): open pairing
	ActionHomePrev     = "home_prev"     // App Home (committee): previous page of pending sign-ups
	ActionHomeNext     = "home_next"     // App Home (committee): next page
	ActionLeaveConfirm = "leave_confirm" // ephemeral confirmation of /mentorship leave
	ActionLeaveCancel  = "leave_cancel"
)

// Pairing and duos.
const (
	CallbackPairing = "pairing" // the committee's proposals modal (no submit)

	ActionPairApprove    = "pair_approve"     // approve one proposal (value: index)
	ActionPairChange     = "pair_change"      // choose another mentor (select, block "a<index>")
	ActionPairSkip       = "pair_skip"        // set a proposal aside (value: index)
	ActionPairPrev       = "pair_prev"        // previous page
	ActionPairNext       = "pair_next"        // next page
	ActionPairApproveAll = "pair_approve_all" // approve every open proposal on the page
	ActionDuoTick        = "duo_tick"         // tick a checklist item (value: cycle|duo|item|1 or 0)
	ActionDuoRetry       = "duo_retry"        // committee: finish opening a duo (value: cycle|duo)
)
