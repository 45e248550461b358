package views

import (
	"fmt"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/mentorbot/mentorbot/internal/mentor"
)

// Finishing a pairing round, and the message to each person it left without a
// partner.
const (
	ActionPairFinish = "pair_finish" // pairing modal: finish the round (value: page)

	BlockPairFinish = "finish" // pairing modal: the Finish round button
	BlockUnmatched  = "unmatched"
)

// finishRoundButton asks before finishing: the people left without a partner are
// told at once.
func finishRoundButton(page int) *slack.ButtonBlockElement {
	confirm := slack.NewConfirmationBlockObject(plain("Finish this round?"),
		plain("Each mentee and mentor this round leaves without a partner gets a kind direct message: nobody suitable was free this time, "+
			"and they stay in the pool. Proposals you have not approved count as not made; you can still approve them afterwards."),
		plain("Finish round"), plain("Cancel"))
	return slack.NewButtonBlockElement(ActionPairFinish, strconv.Itoa(page), plain("Finish round")).WithConfirm(confirm)
}

// UnmatchedDM tells p, kindly, that the pairing round of cycle c left them without a
// partner, that they stay in the pool, and what happens next.
func UnmatchedDM(c mentor.Cycle, p mentor.Participant) Message {
	var head, body string
	if p.Role == mentor.RoleMentor {
		head = fmt.Sprintf("The mentorship committee has finished a round of pairing for *%s*, and this time no mentee was paired with you.", SafeText(c.Name, 80))
		body = "That says nothing about what you offer: a pairing needs a mentee whose areas, ways of meeting and time zone fit yours, and this round's mentees fitted others better. " +
			"*Your place stays open.* The committee pairs again as new mentees sign up, and you will hear from me the moment you have a mentee. " +
			"Nothing to do meanwhile; `/mentorship status` shows where you stand, and `/mentorship join` lets you widen your areas or ways of meeting."
	} else {
		head = fmt.Sprintf("The mentorship committee has finished a round of pairing for *%s*, and this time no suitable mentor was free for you.", SafeText(c.Name, 80))
		body = "Mentors have only so many places, and a pairing needs a mentor whose areas, ways of meeting and time zone fit yours. " +
			"*You stay in the pool.* The committee pairs again as mentors join or places free up, and you will hear from me the moment you have a mentor. " +
			"Nothing to do meanwhile; `/mentorship status` shows where you stand, and `/mentorship join` lets you widen your areas or ways of meeting."
	}
	text := head + "\n\n" + body
	return Message{Text: head, Blocks: []slack.Block{section(BlockUnmatched, text)}}
}
