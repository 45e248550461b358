package mentor

// MessageOutcome is what recording a member's message in a duo channel did.
type MessageOutcome struct {
	Duplicate bool   // the event was seen before (Slack redelivered it)
	NotMember bool   // the author is not one of the duo
	Ended     bool   // the duo was dissolved
	First     bool   // the author's first message in the channel
	Ticked    bool   // a checklist item became ticked (Item)
	Item      string // the responsibility ticked: mentee.contact or mentor.welcome
}

// SignOutcome is what signing an agreement did.
type SignOutcome struct {
	Agreement Agreement // the version signed, with its signatures after this call
	Signed    bool      // this call added a signature
	Complete  bool      // this call made both signatures complete
}

// Dissolution is what dissolving a duo did.
type Dissolution struct {
	Changed bool              // false: the duo had ended already
	Duo     Duo               // after
	Status  map[string]Status // each member's status after
}
