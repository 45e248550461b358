// Package matching proposes mentor–mentee pairs: it scores every mentee × mentor
// pair from their profiles and finds an optimal assignment under mentor capacities.
//
// It is pure, deterministic Go with no I/O: the same people and weights always give
// the same scores, reasons and pairs, whatever the order of the input slices (as long
// as ids are unique; see Solve).
//
// # Scoring
//
// ScorePair scores one pair; NewMatrix scores all pairs at once (in parallel) for
// Solve and for tools that show every score. A pair is forbidden, and never
// proposed, when both sides are the same person (same ID), when either lists the
// other in Avoid, or when the mentor has no capacity left (Capacity < 1). Allowed
// pairs get integer points, the sum of the components of Weights (see the table
// there), and short reasons a committee reads in Slack, such as
//
//	shared: grant writing, research topic; both prefer video; 2 h apart; mentor is two stages more senior
//
// Reasons hold no user text other than the names of shared topics and the shared
// words, each cut to a few dozen characters, and the whole text stays within
// MaxReasonsLen characters. Topic names come from people's profiles, so a caller
// that posts reasons to Slack must escape them like any user text.
//
// # Assignment
//
// Solve matches as many mentees as possible (maximum cardinality), and among all
// assignments of that size returns one of highest total points; each mentor takes
// at most Capacity mentees, each mentee at most one mentor. Negative points do not
// stop a pair: a mentee with only poor options still gets one if that matches more
// people. See Solve for the algorithm, its cost and its tie-breaking.
//
// # Steering
//
// A cycle's Settings scale each criterion (off, low, normal, high) and add
// must-haves that forbid pairs (NewMatrixWith, ScorePairWith, RankWith). Person
// carries last cycle's partners (forbidden) and a mentee's requested mentor (a
// bonus). Matrix.SolveWith keeps pinned pairs and optimises the rest around them,
// can maximise points alone, and can mark pairs kept only to match one more
// mentee. A Session re-solves after each pin from the previous solution's dual
// values: at 2,000 × 700 a few milliseconds instead of a solve from scratch.
package matching
