package bot

import (
	"sort"

	"github.com/mentorbot/mentorbot/bot/views"
	"github.com/slack-go/slack/slackevents"
)

// routes lists everything the bot answers, in one place.
func (b *Bot) routes() Routes {
	return Routes{
		Commands: map[string]CommandHandler{
			Command: b.handleMentorship(b.subcommands()),
		},
		Views: map[string]ViewHandler{
			views.CallbackProgram:   b.handleProgramSubmit,
			views.CallbackJoin:      b.handleJoinSubmit,
			views.CallbackLeave:     b.handleLeaveSubmit,
			views.CallbackAgreement: b.handleAgreementSubmit,
			views.CallbackConcern:   b.handleConcernSubmit,

			// The committee's matching settings of a cycle.
			views.CallbackMatchSettings: b.handleMatchSettingsSubmit,

			// The program evaluation.
			views.CallbackEvaluation: b.handleEvaluationSubmit,

			// Forgetting a person (committee).
			views.CallbackForget: b.handleForgetSubmit,
		},
		Actions: map[string]ActionHandler{
			views.ActionJoinRole:         b.handleJoinRole,
			views.ActionLeaveConfirm:     b.handleLeaveConfirm,
			views.ActionLeaveCancel:      b.handleLeaveCancel,
			views.ActionHomeJoin:         b.handleHomeJoin,
			views.ActionHomeLeave:        b.handleHomeLeave,
			views.ActionHomeStatus:       b.handleHomeRefresh,
			views.ActionHomeProgram:      b.handleHomeProgram,
			views.ActionHomePrev:         b.handleHomePage,
			views.ActionHomeNext:         b.handleHomePage,
			views.ActionHomeMatch:        b.handleHomeMatch,
			views.ActionPairApprove:      b.handlePairApprove(),
			views.ActionPairApproveAll:   b.handlePairApproveAll(),
			views.ActionPairSkip:         b.handlePairSkip(),
			views.ActionPairChange:       b.handlePairChange(),
			views.ActionPairPrev:         b.handlePairPage(),
			views.ActionPairNext:         b.handlePairPage(),
			views.ActionPairRefresh:      b.handlePairPage(),
			views.ActionPairSettings:     b.handlePairSettings,
			views.ActionPairFinish:       b.handlePairFinish(),
			views.ActionDuoTick:          b.handleDuoTick,
			views.ActionDuoRetry:         b.handleDuoRetry,
			views.ActionAgreementOpen:    b.handleAgreementOpen,
			views.ActionAgreementEdit:    b.handleAgreementOpen,
			views.ActionNudgeAgreement:   b.handleAgreementOpen,
			views.ActionAgreementSign:    b.handleAgreementSign,
			views.ActionConcernDissolve:  b.handleConcernDissolve,
			views.ActionConcernHandled:   b.handleConcernHandled,
			views.ActionRematchYes:       b.handleRematchYes,
			views.ActionRematchNo:        b.handleRematchNo,
			views.ActionCloseoutContinue: b.handleCloseoutChoice,
			views.ActionCloseoutClose:    b.handleCloseoutChoice,
			views.ActionHomeDuoPrev:      b.handleHomeDuoPage,
			views.ActionHomeDuoNext:      b.handleHomeDuoPage,

			// The program evaluation: from a reminder, from App Home.
			views.ActionNudgeEvaluate: b.handleEvaluateButton,
			views.ActionHomeEvaluate:  b.handleEvaluateButton,

			// Forgetting a person (committee).
			views.ActionHomeForget: b.handleHomeForget,
		},
		Events: map[string]EventHandler{
			string(slackevents.AppHomeOpened):       b.handleHomeOpened,
			string(slackevents.MemberJoinedChannel): b.handleMembershipChange(),
			string(slackevents.MemberLeftChannel):   b.handleMembershipChange(),
		},
		Message: b.handleMessage,
	}
}

// RouteIDs lists what the bot answers, from the same lists it routes by: the
// /mentorship subcommands, the callback ids of views and the action ids of buttons
// and selects. Tests use it to hold every route to account.
func RouteIDs() (subcommands, viewIDs, actionIDs []string) {
	b := &Bot{}
	for _, s := range b.subcommands() {
		subcommands = append(subcommands, s.name)
	}
	r := b.routes()
	for id := range r.Views {
		viewIDs = append(viewIDs, id)
	}
	for id := range r.Actions {
		actionIDs = append(actionIDs, id)
	}
	sort.Strings(viewIDs)
	sort.Strings(actionIDs)
	return subcommands, viewIDs, actionIDs
}

// subcommands lists the /mentorship subcommands, in the order help shows them.
func (b *Bot) subcommands() []subcommand {
	return []subcommand{
		{name: "help", summary: "show this help", run: b.handleHelp},
		{name: "join", summary: "sign up as a mentor or a mentee (again: edit your sign-up)", run: b.handleJoin},
		{name: "status", summary: "your sign-up, your duo and your next step", run: b.handleStatus},
		{name: "agreement", summary: "write or edit your duo agreement; both of you sign it", run: b.handleAgreement},
		{name: "concern", summary: "tell the committee, confidentially, that something isn't working", run: b.handleConcern},
		{name: "evaluate", summary: "evaluate the program; only the committee reads it (again: change it)", run: b.handleEvaluate},
		{name: "leave", summary: "leave the program", run: b.handleLeave},
		{name: "program", args: "[new]", summary: "open or edit the program cycle", committee: true, run: b.handleProgram},
		{name: "match", summary: "propose pairs and approve them", committee: true, run: b.handleMatch},
		{name: "report", args: "[cycle]", summary: "the program's numbers now, and the duos and evaluations CSVs and a funnel chart in the committee channel", committee: true, run: b.handleReport},
	}
}
