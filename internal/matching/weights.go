package matching

// Weights are every number the scorer uses, in one place. A pair's points are the
// sum of the components below; DefaultWeights gives the program's values:
//
//	component      field               default  when
//	shared areas   Area                +10      per topic both list, counting at most AreaMax (3) topics
//	shared words   Word                +3       per word shared by needs and offer, at most WordMax (4) words
//	methods        MethodShared        +5       at least one communication method in common
//	               MethodNone          -10      both list methods, none in common
//	frequency      FrequencySame       +4       same meeting frequency
//	               FrequencyAdjacent   +1       weekly/biweekly or biweekly/monthly
//	               FrequencyFar        -4       weekly/monthly
//	time zones     TimeZoneNear        +6       points when 0 h apart…
//	               TimeZonePerHour     1        …less this per whole hour apart (12 h apart: -6)
//	career stage   StageOneAbove       +10      mentor one stage more senior
//	               StageTwoAbove       +10      mentor two stages more senior
//	               StageThreeAbove     +5       senior mentor for a student
//	               StageSame           -10      same stage
//	               StageJunior         -40      mentor junior to the mentee
//	request        Requested           +20      the mentor the mentee asked for (Person.Request)
//
// A component whose data is missing on either side (no areas, no words, no
// methods, no frequency, StageUnknown) adds nothing; time zones always count
// (UTCOffset 0 is UTC). Shared areas and words dominate on purpose: they say
// whether the mentor can help with what the mentee asked for; the rest says how
// easy the duo will find it to work together. With the defaults a pair scores
// between -60 and +67, +87 with the requested mentor.
//
// A cycle's Settings scale each criterion (off, low, normal, high) and add
// must-haves; these weights are what normal means.
//
// Points should stay within ±MaxPoints; scoring clamps a pair's points there so
// the exact optimisation cannot overflow.
type Weights struct {
	Area    int // points per shared area (topic)
	AreaMax int // at most this many shared areas count
	Word    int // points per word shared between the mentee's needs and the mentor's offer
	WordMax int // at most this many shared words count

	MethodShared int // at least one communication method in common
	MethodNone   int // both list methods but share none (a penalty: give a negative number)

	FrequencySame     int // same frequency
	FrequencyAdjacent int // neighbouring frequencies (weekly–biweekly, biweekly–monthly)
	FrequencyFar      int // weekly and monthly

	TimeZoneNear    int // points for two people in the same time zone
	TimeZonePerHour int // points taken off per whole hour apart (circular, 0–12 h)

	StageOneAbove   int // mentor one stage more senior than the mentee
	StageTwoAbove   int // two stages more senior
	StageThreeAbove int // three stages more senior (senior mentor, student mentee)
	StageSame       int // same stage
	StageJunior     int // mentor less senior than the mentee

	Requested int // the mentor the mentee asked for: strong, but never a guarantee
}

// MaxPoints bounds the absolute points of one pair; see Weights.
const MaxPoints = 1 << 20

// DefaultWeights returns the program's weights, as tabled on Weights.
func DefaultWeights() Weights {
	return Weights{
		Area:    10,
		AreaMax: 3,
		Word:    3,
		WordMax: 4,

		MethodShared: 5,
		MethodNone:   -10,

		FrequencySame:     4,
		FrequencyAdjacent: 1,
		FrequencyFar:      -4,

		TimeZoneNear:    6,
		TimeZonePerHour: 1,

		StageOneAbove:   10,
		StageTwoAbove:   10,
		StageThreeAbove: 5,
		StageSame:       -10,
		StageJunior:     -40,

		Requested: 20,
	}
}
