package report

import (
	"bytes"
	"strconv"
	"testing"

	"golang.org/x/net/html"
)

// TestHTMLTableShape parses the page and checks the breakdown table's
// geometry: the header spans as many columns as every body row has cells.
func TestHTMLTableShape(t *testing.T) {
	c := newCity(t)
	tb := c.table(t)
	doc, err := html.Parse(bytes.NewReader(render(t, tb, FormatHTML)))
	if err != nil {
		t.Fatal(err)
	}
	var tables []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "table" {
			tables = append(tables, n)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	if len(tables) != 3 {
		t.Fatalf("%d tables, want the breakdown, the sync sheet and the formulas", len(tables))
	}
	// Width of the first header row, counting colspans, and the cells of
	// each body row.
	var rows [][]*html.Node
	var collect func(*html.Node)
	collect = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "tr" {
			var cells []*html.Node
			for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
				if ch.Type == html.ElementNode && (ch.Data == "td" || ch.Data == "th") {
					cells = append(cells, ch)
				}
			}
			rows = append(rows, cells)
			return
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			collect(ch)
		}
	}
	collect(tables[0])
	width := 0
	for _, cell := range rows[0] {
		span := 1
		for _, a := range cell.Attr {
			if a.Key == "colspan" {
				span, _ = strconv.Atoi(a.Val)
			}
		}
		width += span
	}
	if want := 3 + figCount*len(tb.Columns); width != want {
		t.Errorf("header spans %d columns, want %d", width, want)
	}
	if len(rows[1]) != figCount*len(tb.Columns) {
		t.Errorf("second header row has %d cells, want %d", len(rows[1]), figCount*len(tb.Columns))
	}
	body := rows[2:]
	if len(body) != len(tb.Rows) {
		t.Errorf("%d body rows, want %d", len(body), len(tb.Rows))
	}
	for i, r := range body {
		if len(r) != width {
			t.Errorf("body row %d has %d cells, want %d", i, len(r), width)
		}
	}
}
