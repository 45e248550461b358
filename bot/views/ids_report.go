package views

// The committee's report (/mentorship report) and the funnel on the committee's Home.
const (
	BlockReportSummary = "report_summary" // the ephemeral answer: the funnel, the duos, the evaluations
	BlockReportFiles   = "report_files"   // where the files go
	BlockHomeFunnel    = "home_funnel"    // committee Home: the funnel
)
