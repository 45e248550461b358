package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"unicode/utf8"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Chart size and colours: two bars a step, mentees and mentors side by side.
var (
	chartWidth   = 8 * vg.Inch
	chartHeight  = 4.5 * vg.Inch
	barWidth     = vg.Points(26)
	menteeColour = color.RGBA{R: 0x2c, G: 0x4a, B: 0x6e, A: 0xff} // the app's colour
	mentorColour = color.RGBA{R: 0xe0, G: 0x9f, B: 0x3e, A: 0xff}
)

// maxTitleName bounds the cycle name in the chart's title.
const maxTitleName = 60

// Chart draws the funnel as a PNG: a group of two bars (mentees, mentors) for each
// step, titled with the cycle's name.
func Chart(f Funnel, cycleName string) ([]byte, error) {
	p := plot.New()
	if utf8.RuneCountInString(cycleName) > maxTitleName {
		cycleName = string([]rune(cycleName)[:maxTitleName-1]) + "…"
	}
	p.Title.Text = "Mentorship program funnel"
	if cycleName != "" {
		p.Title.Text += ": " + cycleName
	}
	p.Y.Label.Text = "People"
	p.Y.Min = 0
	p.Y.Tick.Marker = wholeTicks{}

	mentees := make(plotter.Values, len(f.Stages))
	mentors := make(plotter.Values, len(f.Stages))
	labels := make([]string, len(f.Stages))
	top := 1.0
	for i, s := range f.Stages {
		mentees[i], mentors[i], labels[i] = float64(s.Mentees), float64(s.Mentors), s.Step.Label()
		top = max(top, float64(s.Mentees), float64(s.Mentors))
	}
	p.Y.Max = top * 1.25 // room above the tallest bar for the legend; never an empty axis
	for _, b := range []struct {
		vs     plotter.Values
		colour color.Color
		offset vg.Length
		name   string
	}{{mentees, menteeColour, -barWidth / 2, "Mentees"}, {mentors, mentorColour, barWidth / 2, "Mentors"}} {
		bars, err := plotter.NewBarChart(b.vs, barWidth)
		if err != nil {
			return nil, fmt.Errorf("funnel chart: %w", err)
		}
		bars.Color = b.colour
		bars.LineStyle.Width = 0
		bars.Offset = b.offset
		p.Add(bars)
		p.Legend.Add(b.name, bars)
	}
	p.Legend.Top = true
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.6, float64(len(labels))-0.4 // half a step of room at each end

	w, err := p.WriterTo(chartWidth, chartHeight, "png")
	if err != nil {
		return nil, fmt.Errorf("funnel chart: %w", err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("funnel chart: %w", err)
	}
	return buf.Bytes(), nil
}

// wholeTicks labels the people axis with whole numbers only: nobody is half a
// mentee.
type wholeTicks struct{}

func (wholeTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Value != math.Trunc(t.Value) {
			t.Label = ""
		} else if t.Label != "" {
			t.Label = strconv.Itoa(int(t.Value))
		}
		out = append(out, t)
	}
	return out
}
