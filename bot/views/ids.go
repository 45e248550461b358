package views

// Callback ids of modals and home, action ids of interactive elements: those of the
// core flows. Later features keep theirs beside them (ids_*.go, closeout.go,
// forget.go, settings.go, unmatched.go); routes.go maps them all to handlers.
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

// Input blocks shared by the agreement and concern modals.
const (
	// BlockDuo is the "which duo" select, shown first when a person with several duos
	// opens a form outside a duo channel; it is also the FieldErrors key of a missing
	// choice.
	BlockDuo = "duo"
	// BlockIntro is a modal's explanatory first section.
	BlockIntro = "intro"
)

// The duo agreement: the modal, its post in the duo channel and the committee's
// record. The input block ids of the modal are the FieldErrors keys of
// mentor.Agreement.Validate, so its errors land under the right input.
const (
	CallbackAgreement = "agreement" // the agreement modal

	ActionAgreementOpen = "agreement_open" // welcome: open the agreement modal (value: cycle|duo)
	ActionAgreementSign = "agreement_sign" // agreement post: sign (value: cycle|duo|version)
	ActionAgreementEdit = "agreement_edit" // agreement post: edit, making the next version (value: cycle|duo)

	BlockAgreementMethods         = "methods"
	BlockAgreementFrequency       = "frequency"
	BlockAgreementGoal            = "goal"
	BlockAgreementActivities      = "activities"
	BlockAgreementOtherActivities = "other_activities"
	BlockAgreementMentorHours     = "mentor_hours"
	BlockAgreementMenteeHours     = "mentee_hours"
	BlockAgreementFrom            = "from"
	BlockAgreementUntil           = "until"
	BlockAgreementAnnualMeeting   = "annual_meeting"
	BlockAgreementShareExperience = "share_experience"

	BlockWelcomeAgreement    = "agreement"            // welcome: the actions block with ActionAgreementOpen
	BlockAgreementHead       = "agreement_head"       // post: who, which cycle, which version
	BlockAgreementReplaced   = "agreement_replaced"   // replaced post: the notice
	BlockAgreementFields     = "agreement_fields"     // post: methods, frequency, hours, time frame, answers
	BlockAgreementGoalText   = "agreement_goal"       // post: the goal (then agreement_goal_2, … when long)
	BlockAgreementActivity   = "agreement_activities" // post: the activities
	BlockAgreementSignMentee = "sign_mentee"          // post: the mentee's signature, or a button to sign
	BlockAgreementSignMentor = "sign_mentor"          // post: the mentor's signature, or a button to sign
	BlockAgreementSigned     = "agreement_signed"     // post: "Signed by both on …"
	BlockAgreementActions    = "agreement_actions"    // post: the Edit button
	BlockAgreementFooter     = "agreement_footer"
)

// Concerns: the confidential modal, the committee's post and the DMs after a
// dissolved duo. The modal's input block ids are the FieldErrors keys of
// mentor.Concern.Validate.
const (
	CallbackConcern = "concern" // the concern modal

	ActionConcernDissolve = "concern_dissolve" // committee: dissolve the duo (value: cycle|concern id)
	ActionConcernHandled  = "concern_handled"  // committee: mark handled, the duo goes on (value: cycle|concern id)
	ActionRematchYes      = "rematch_yes"      // DM after a dissolved duo: find me a new match (value: cycle)
	ActionRematchNo       = "rematch_no"       // DM after a dissolved duo: no, thanks (value: cycle)

	BlockConcernText     = "text"      // modal: what is happening
	BlockConcernNewMatch = "new_match" // modal: yes / no

	BlockConcernHead     = "concern_head"     // post: who, about which duo
	BlockConcernBody     = "concern_text"     // post: the text (then concern_text_2, … when long)
	BlockConcernMatch    = "concern_match"    // post: whether they ask for a new match
	BlockConcernActions  = "concern_actions"  // post: Dissolve duo, Mark handled
	BlockConcernDecision = "concern_decision" // post after a decision: who decided what, when
	BlockConcernFooter   = "concern_footer"
	BlockConcernReceived = "concern_received" // the answer after submitting

	BlockDissolved      = "dissolved"       // DM: the duo ended
	BlockDissolvedPool  = "dissolved_pool"  // DM: back in the pool
	BlockRematchAsk     = "rematch_ask"     // DM: would you like a new match?
	BlockRematchActions = "rematch_actions" // DM: the two rematch buttons
)

// Where people see how far their duo has come: status, App Home.
const (
	ActionHomeDuoPrev = "home_duo_prev" // App Home (committee): previous page of duos (value: page)
	ActionHomeDuoNext = "home_duo_next" // App Home (committee): next page of duos (value: page)

	BlockStatusDuos      = "duos"         // status: the person's duos, with stage and milestones
	BlockHomeConcerns    = "concerns"     // committee Home: open concerns
	BlockHomeOpeningHd   = "opening_head" // committee Home: "Duos still being set up"
	BlockHomeOpening     = "opening_"     // prefix: opening_0, opening_1, … (Retry button)
	BlockHomeOpeningMore = "opening_more" // committee Home: how many more are opening
	BlockHomeDuosHead    = "duos_head"    // committee Home: "Duos (1–10 of N)"
	BlockHomeDuo         = "duo_"         // prefix: duo_0, duo_1, …
	BlockHomeDuosNav     = "duos_nav"
	BlockHomeDuosPages   = "duos_pages"
	BlockHomeDuosNone    = "duos_none"
)
