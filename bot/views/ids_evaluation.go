package views

// The program evaluation: the modal, the answer after sending it and App Home's
// button. (A nudge's button is ActionNudgeEvaluate.) The modal's input block ids are
// the FieldErrors keys of mentor.Evaluation.Validate, so its errors land under the
// right input.
const (
	CallbackEvaluation        = "evaluation"         // the evaluation modal
	CallbackEvaluationLoading = "evaluation_loading" // shown at once while the form is read (no submit)

	ActionHomeEvaluate = "home_evaluate" // App Home: open the evaluation modal (value: cycle)

	BlockEvaluationAchieved        = "achieved"
	BlockEvaluationValue           = "value"
	BlockEvaluationLiked           = "liked"
	BlockEvaluationSuggestions     = "suggestions"
	BlockEvaluationAgain           = "again"
	BlockEvaluationRecommend       = "recommend"
	BlockEvaluationOverall         = "overall"
	BlockEvaluationNeedsMet        = "needs_met"
	BlockEvaluationCommunication   = "communication"
	BlockEvaluationActivities      = "activities"
	BlockEvaluationOtherActivities = "other_activities"

	BlockEvaluationLoading = "evaluation_loading" // the loading modal's one section
	BlockEvaluationFooter  = "evaluation_footer"  // modal: who reads it, once more under the questions
	BlockEvaluationThanks  = "evaluation_thanks"  // the answer after sending
)
