package targets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"testing/quick"
	"time"

	"github.com/xuri/excelize/v2"

	"laoxiao/schema"
	"laoxiao/syncserver/indicators"
	"laoxiao/syncserver/ingest"
	"laoxiao/syncserver/store"
	"laoxiao/syncserver/store/badgerstore"
)

var testNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// server is a store with the real writer on it.
type server struct {
	st   *badgerstore.DB
	in   *ingest.Ingester
	divs *schema.Divisions
	eng  *indicators.Engine
}

func newServer(t *testing.T) *server {
	t.Helper()
	st, err := badgerstore.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	divs := schema.BuiltinDivisions()
	in, err := ingest.New(context.Background(), st, ingest.Options{Divisions: func() *schema.Divisions { return divs },
		Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); st.Close() })
	return &server{st: st, in: in, divs: divs, eng: &indicators.Engine{Store: st,
		Divisions: func() *schema.Divisions { return divs }, Now: func() time.Time { return testNow }}}
}

// targets returns every target record in the store.
func (s *server) targets(t *testing.T) map[string]schema.Target {
	t.Helper()
	out := map[string]schema.Target{}
	err := s.st.ScanRecords(context.Background(), "", func(r *schema.Record) error {
		if r.Kind != schema.KindTarget || r.IsDeleted() {
			return nil
		}
		var tg schema.Target
		if err := r.Decode(&tg); err != nil {
			return err
		}
		out[r.ID] = tg
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const goodCSV = "\ufeff单位代码(unit),单位名称(unit name),指标(indicator),基期年份(baseline year),基期值(baseline value),目标年份(target year),目标值(target value)\n" +
	"5118,雅安市,pension_insurance_rate,2020,90.5,2025,95\n" +
	"5118,雅安市,medical_insurance_rate,2020,>95,2025,>95\n" +
	"511802,雨城区,乡镇(街道)范围具备综合功能的养老服务机构覆盖率,2020,-,2025,应建尽建\n" +
	"511803,名山区,beds_total,,,2025,\n" // a template row nobody filled in

func TestImportCSV(t *testing.T) {
	s := newServer(t)
	sum, err := Import(context.Background(), []byte(goodCSV), s.divs, s.in, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported != 3 || sum.Skipped != 1 {
		t.Errorf("summary %+v, want 3 imported, 1 skipped", sum)
	}
	got := s.targets(t)
	pension := got[schema.TargetID("5118", "pension_insurance_rate", 2025)]
	if pension.Value != 95 || pension.Baseline != 90.5 || !pension.HasBaseline || pension.BaselineYear != 2020 {
		t.Errorf("pension target %+v", pension)
	}
	medical := got[schema.TargetID("5118", "medical_insurance_rate", 2025)]
	if medical.Value != 95 || medical.ValueText != ">95" || medical.BaselineText != ">95" {
		t.Errorf("medical target %+v, want 95 kept as \">95\"", medical)
	}
	center := got[schema.TargetID("511802", "township_center_coverage", 2025)]
	if center.ValueText != "应建尽建" || center.Value != 0 || center.HasBaseline {
		t.Errorf("centre target %+v, want the words kept and no baseline", center)
	}
}

// failingSubmitter records that it was called; Import must not call it
// for a bad sheet.
type failingSubmitter struct{ calls int }

func (f *failingSubmitter) SubmitServer(context.Context, []schema.Change) (*schema.Ack, error) {
	f.calls++
	return &schema.Ack{}, nil
}

func TestImportBadRowWritesNothing(t *testing.T) {
	s := newServer(t)
	bad := goodCSV +
		"511822,荥经县,beds_total,2020,1200,2025,1,500\n" + // row 6: a comma in the number splits it
		"511823,汉源县,nursing_bed_share,2020,45,2025,120\n" + // row 7: a share above 100%
		"5199,无此市,beds_total,2020,10,2025,20\n" + // row 8: no such unit
		"511824,石棉县,no_such_indicator,2020,1,2025,2\n" + // row 9
		"511825,天全县,beds_total,2026,1,2025,9O\n" + // row 10: baseline after target, letter O in a number
		"5118,雅安市,pension_insurance_rate,2020,90.5,2025,96\n" // row 11: repeats row 2
	_, err := Import(context.Background(), []byte(bad), s.divs, s.in, testNow)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("import of a bad sheet: %v, want an *ImportError", err)
	}
	want := map[string]bool{"7 G": true, "8 A": true, "9 C": true, "10 D": true, "10 G": true, "11 C": true}
	got := map[string]bool{}
	for _, p := range ie.Problems {
		got[fmt.Sprintf("%d %s", p.Row, p.Column)] = true
		if !strings.Contains(p.Error(), fmt.Sprintf("row %d, column %s", p.Row, p.Column)) {
			t.Errorf("problem text %q does not say where", p.Error())
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("no problem reported at row/column %s; got %v", k, ie.Problems)
		}
	}
	// Row 6 has a stray column but its six cells are fine (1 is the target).
	for _, p := range ie.Problems {
		if p.Row == 6 || p.Row < 5 {
			t.Errorf("a good row was reported: %v", p)
		}
	}
	if n := len(s.targets(t)); n != 0 {
		t.Errorf("%d targets written from a bad sheet, want none", n)
	}
	sub := &failingSubmitter{}
	if _, err := Import(context.Background(), []byte(bad), s.divs, sub, testNow); err == nil || sub.calls != 0 {
		t.Errorf("bad sheet reached the writer %d times (err %v)", sub.calls, err)
	}
	if !strings.Contains(err.Error(), "row 7, column G") {
		t.Errorf("error text lacks the place of a problem:\n%v", err)
	}
}

func TestImportXLSXReportsSpreadsheetCells(t *testing.T) {
	s := newServer(t)
	rows, err := TemplateRows(s.divs, "5118")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteTemplateXLSX(&buf, rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetName(0)
	// The city's rows come prefilled from 雅安's plan; fill one county row
	// and break another.
	county := 0
	for i, r := range rows {
		if r[0] == "511802" && r[2] == "nursing_bed_share" {
			county = i + 2
		}
	}
	if county == 0 {
		t.Fatal("template has no row for 511802 nursing_bed_share")
	}
	set := func(cell, v string) {
		if err := f.SetCellStr(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set(fmt.Sprintf("I%d", county), "50")
	set(fmt.Sprintf("G%d", county+1), "abc1") // the next row: a bad baseline
	set(fmt.Sprintf("I%d", county+1), "10")
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	_, err = Import(context.Background(), out.Bytes(), s.divs, s.in, testNow)
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].Row != county+1 || ie.Problems[0].Column != "G" {
		t.Fatalf("want one problem at row %d column G, got %v", county+1, err)
	}
	if n := len(s.targets(t)); n != 0 {
		t.Errorf("%d targets written, want none", n)
	}
	set(fmt.Sprintf("G%d", county+1), "")
	out.Reset()
	f.Write(&out)
	sum, err := Import(context.Background(), out.Bytes(), s.divs, s.in, testNow)
	if err != nil {
		t.Fatal(err)
	}
	plan := 0
	for _, r := range rows {
		if r[0] == "5118" && (r[6] != "" || r[8] != "") {
			plan++
		}
	}
	if sum.Imported != plan+2 {
		t.Errorf("imported %d, want the plan's %d rows and 2 county rows", sum.Imported, plan)
	}
	got := s.targets(t)[schema.TargetID("511802", "nursing_bed_share", 2025)]
	if got.Value != 50 {
		t.Errorf("county target %+v", got)
	}
}

// TestTemplateCSVRoundTrip writes the city's template as CSV, fills in
// one county's row as an office would, imports the sheet, and reads every
// filled-in row back from the store as the same target; rows left blank
// are skipped, and a template with no rows at all imports nothing.
func TestTemplateCSVRoundTrip(t *testing.T) {
	s := newServer(t)
	rows, err := TemplateRows(s.divs, "5118")
	if err != nil {
		t.Fatal(err)
	}
	filled := 0
	for _, r := range rows {
		if r[0] == "511802" && r[2] == "beds_total" {
			r[5], r[6], r[8] = "2020", "1200", "1500" // what 雨城区's office types in
		}
		if r[8] != "" {
			filled++
		}
	}
	if filled < 2 {
		t.Fatalf("only %d template rows carry a target; want the plan's own and the county's", filled)
	}
	var buf bytes.Buffer
	if err := WriteTemplateCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	sum, err := Import(context.Background(), buf.Bytes(), s.divs, s.in, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported != filled || sum.Skipped != len(rows)-filled {
		t.Errorf("summary %+v, want %d imported and %d skipped", sum, filled, len(rows)-filled)
	}
	got := s.targets(t)
	for _, r := range rows {
		if r[8] == "" {
			continue
		}
		y, _ := strconv.ParseInt(r[7], 10, 64)
		tg, ok := got[schema.TargetID(schema.Code(r[0]), r[2], y)]
		by, _ := strconv.ParseInt(r[5], 10, 64)
		if !ok || tg.ValueText != r[8] || tg.BaselineText != r[6] || tg.BaselineYear != by {
			t.Errorf("row %v came back as %+v (stored: %v)", r, tg, ok)
		}
	}

	var empty bytes.Buffer
	if err := WriteTemplateCSV(&empty, nil); err != nil {
		t.Fatal(err)
	}
	_, err = Import(context.Background(), empty.Bytes(), s.divs, s.in, testNow)
	if err == nil || !strings.Contains(err.Error(), "no filled-in target") {
		t.Errorf("an empty template imported: %v", err)
	}
}

// putPopulation writes population records through the writer, as a site
// or office would.
func (s *server) putPopulation(t *testing.T, unit schema.Code, p schema.Population) {
	t.Helper()
	f, err := schema.EncodeFields(p)
	if err != nil {
		t.Fatal(err)
	}
	ch := schema.Change{Kind: schema.KindPopulation, ID: schema.PopulationID(unit, p.Year), Unit: unit, Set: f}
	if err := submit(context.Background(), s.in, []schema.Change{ch}); err != nil {
		t.Fatal(err)
	}
}

func TestSplit(t *testing.T) {
	s := newServer(t)
	counties := s.divs.Children("5118")
	rng := rand.New(rand.NewPCG(7, 7))
	for i, c := range counties {
		res := int64(50000 + rng.IntN(300000))
		p := schema.Population{Year: 2024, Resident: res, Aged60: res / 5, Aged0to3: res / 30 * int64(1+i%3)}
		if i == 0 {
			// The first county entered only its townships' figures.
			for _, town := range s.divs.Children(c) {
				s.putPopulation(t, town, schema.Population{Year: 2024, Resident: 1000, Aged60: 300, Aged0to3: 20})
			}
			continue
		}
		s.putPopulation(t, c, p)
	}
	for _, w := range []Weight{WeightPop60, WeightPop, WeightPop0to3, WeightEqual} {
		for _, v := range []string{"75000", "3", "0", "≥12811"} {
			res, err := Split(context.Background(), s.eng, s.in, SplitRequest{Unit: "5118", Indicator: "beds_total",
				Year: 2025, Value: v, Weight: w})
			if err != nil {
				t.Fatalf("%s %s: %v", w, v, err)
			}
			total, _, _ := schema.ParseTargetText(v)
			var sum float64
			for _, a := range res.Allocations {
				sum += a.Value
				if math.Abs(a.Value-a.Exact) >= res.RoundingUnit {
					t.Errorf("%s %s: %s gets %v, exact share %v: more than one unit off", w, v, a.Unit.Code, a.Value, a.Exact)
				}
				if a.Value != math.Trunc(a.Value) {
					t.Errorf("%s %s: %s gets %v, not whole beds", w, v, a.Unit.Code, a.Value)
				}
			}
			if sum != total || res.RoundingUnit != 1 || len(res.Allocations) != len(counties) {
				t.Errorf("%s %s: shares add up to %v over %d counties (rounding %v), want %v over %d",
					w, v, sum, len(res.Allocations), res.RoundingUnit, total, len(counties))
			}
		}
	}
	// The last split (equal, ≥12811) is what the store holds.
	got := s.targets(t)
	city := got[schema.TargetID("5118", "beds_total", 2025)]
	if city.Value != 12811 || city.ValueText != "≥12811" {
		t.Errorf("city target %+v", city)
	}
	var sum float64
	for _, c := range counties {
		tg, ok := got[schema.TargetID(c, "beds_total", 2025)]
		if !ok || !strings.HasPrefix(tg.ValueText, "≥") {
			t.Errorf("county %s target %+v", c, tg)
		}
		sum += tg.Value
	}
	if sum != 12811 {
		t.Errorf("stored county targets add up to %v", sum)
	}
}

func TestSplitRatesAndErrors(t *testing.T) {
	s := newServer(t)
	for _, c := range s.divs.Children("5118") {
		s.putPopulation(t, c, schema.Population{Year: 2025, Resident: 100000, Aged60: 20000})
	}
	// A baseline set by an import survives the split.
	if _, err := Import(context.Background(), []byte("unit,indicator,baseline year,baseline value,target year,target value\n"+
		"511802,nursing_bed_share,2020,33,2025,50\n"), s.divs, s.in, testNow); err != nil {
		t.Fatal(err)
	}
	res, err := Split(context.Background(), s.eng, s.in, SplitRequest{Unit: "5118", Indicator: "nursing_bed_share",
		Year: 2025, Value: "≥55", Weight: WeightPop60})
	if err != nil {
		t.Fatal(err)
	}
	if res.Proportional {
		t.Error("a rate was split proportionally without --split-rates")
	}
	for _, a := range res.Allocations {
		if a.Value != 55 || a.Text != "≥55" {
			t.Errorf("%s gets %v %q, want the city's ≥55", a.Unit.Code, a.Value, a.Text)
		}
	}
	got := s.targets(t)[schema.TargetID("511802", "nursing_bed_share", 2025)]
	if got.Value != 55 || got.Baseline != 33 || got.BaselineYear != 2020 || !got.HasBaseline {
		t.Errorf("511802 target after the split %+v, want value 55 with the imported baseline 33 (2020)", got)
	}
	res, err = PlanSplit(context.Background(), s.eng, SplitRequest{Unit: "5118", Indicator: "places_per_1000",
		Year: 2025, Value: "4.5", Weight: WeightEqual, SplitRates: true})
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, a := range res.Allocations {
		sum += a.Value
	}
	if !res.Proportional || res.RoundingUnit != 0.1 || math.Abs(sum-4.5) > 1e-9 {
		t.Errorf("split rate: %+v adds up to %v", res, sum)
	}
	for _, bad := range []SplitRequest{
		{Unit: "5118", Indicator: "beds_total", Year: 2025, Value: "100", Weight: WeightPop0to3}, // no 0-3 figures
		{Unit: "5118", Indicator: "beds_total", Year: 2025, Value: "100.5", Weight: WeightEqual}, // half a bed
		{Unit: "5118", Indicator: "beds_total", Year: 2025, Value: "应建尽建", Weight: WeightEqual},
		{Unit: "5118", Indicator: "nope", Year: 2025, Value: "1", Weight: WeightEqual},
		{Unit: "511802001", Indicator: "beds_total", Year: 2025, Value: "1", Weight: WeightEqual},
	} {
		if _, err := PlanSplit(context.Background(), s.eng, bad); err == nil {
			t.Errorf("split %+v succeeded", bad)
		}
	}
}

// TestLargestRemainderProperties: for any weights and total the shares
// add up exactly and each is within one unit of its exact share.
func TestLargestRemainderProperties(t *testing.T) {
	prop := func(total uint32, raw []uint32) bool {
		if len(raw) == 0 {
			return true
		}
		weights := make([]int64, len(raw))
		var sum int64
		for i, w := range raw {
			weights[i] = int64(w % 10_000_000)
			sum += weights[i]
		}
		if sum == 0 {
			weights[0], sum = 1, 1
		}
		n := int64(total % 100_000_000)
		shares, err := LargestRemainder(n, weights)
		if err != nil {
			return false
		}
		var got int64
		for i, s := range shares {
			got += s
			exact := float64(n) * float64(weights[i]) / float64(sum)
			if s < 0 || math.Abs(float64(s)-exact) >= 1+1e-6 {
				return false
			}
		}
		return got == n
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
	if s, _ := LargestRemainder(10, []int64{1, 1, 1}); s[0]+s[1]+s[2] != 10 || s[0] != 4 {
		t.Errorf("10 over three equal weights: %v, want the extra unit to the first", s)
	}
	if _, err := LargestRemainder(10, []int64{0, 0}); err == nil {
		t.Error("zero weights accepted")
	}
}

var _ store.Store = (*badgerstore.DB)(nil)
