//go:build uimap

// Package uimap writes where every visible widget and piece of text is on
// the app's window, so a real-window test can click what a person would
// click. It is compiled only into test builds (go build -tags uimap): it
// reads Fyne's cached renderers through fyne.io/fyne/v2/test, which the
// shipped app must not link.
//
// The test sends real X input events (xdotool); the map only tells it
// where to aim, as a person's eyes would.
package uimap

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Item is one visible object: its Go type, the text it shows (if any) and
// its rectangle in window coordinates (Fyne units; the test runs with
// FYNE_SCALE=1 so units are pixels).
type Item struct {
	Type string  `json:"type"`
	Text string  `json:"text,omitempty"`
	X    float32 `json:"x"`
	Y    float32 `json:"y"`
	W    float32 `json:"w"`
	H    float32 `json:"h"`
	// Disabled is set for widgets that do not take input now.
	Disabled bool `json:"disabled,omitempty"`
	// Overlay is set for objects in a pop-up (an open dropdown, a dialog).
	Overlay bool `json:"overlay,omitempty"`
	// Checked is a check box's state.
	Checked bool `json:"checked,omitempty"`
}

// Map is the window at one moment.
type Map struct {
	Seq     int    `json:"seq"`
	Title   string `json:"title"`
	Focused string `json:"focused,omitempty"` // type of the focused widget
	// FocusedItem is the focused widget's rectangle, when there is one.
	FocusedItem *Item  `json:"focused_item,omitempty"`
	Items       []Item `json:"items"`
}

// Start writes the map of w to path every interval until stop closes. It
// walks the tree on the UI goroutine (fyne.Do) and writes the file
// through a rename, so a reader never sees half of it.
func Start(w fyne.Window, path string, interval time.Duration, stop <-chan struct{}) {
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		seq := 0
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			seq++
			var m Map
			done := make(chan struct{})
			fyne.Do(func() {
				defer close(done)
				m = snapshot(w)
			})
			select {
			case <-done:
			case <-stop:
				return
			}
			m.Seq = seq
			if err := write(path, m); err != nil {
				fmt.Fprintln(os.Stderr, "uimap:", err)
			}
		}
	}()
}

func write(path string, m Map) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func snapshot(w fyne.Window) Map {
	c := w.Canvas()
	m := Map{Title: w.Title()}
	if f := c.Focused(); f != nil {
		m.Focused = fmt.Sprintf("%T", f)
		if o, ok := f.(fyne.CanvasObject); ok {
			p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
			m.FocusedItem = &Item{Type: m.Focused, X: p.X, Y: p.Y, W: o.Size().Width, H: o.Size().Height}
		}
	}
	if content := c.Content(); content != nil {
		walk(content, fyne.Position{}, false, &m.Items)
	}
	for _, o := range c.Overlays().List() {
		walk(o, fyne.Position{}, true, &m.Items)
	}
	return m
}

func walk(o fyne.CanvasObject, parent fyne.Position, overlay bool, out *[]Item) {
	if o == nil || !o.Visible() {
		return
	}
	pos := parent.Add(o.Position())
	size := o.Size()
	it := Item{Type: fmt.Sprintf("%T", o), X: pos.X, Y: pos.Y, W: size.Width, H: size.Height, Overlay: overlay}
	if d, ok := o.(fyne.Disableable); ok {
		it.Disabled = d.Disabled()
	}
	switch x := o.(type) {
	case *canvas.Text:
		it.Text = x.Text
	case *widget.Label:
		it.Text = x.Text
	case *widget.Button:
		it.Text = x.Text
	case *widget.Check:
		it.Text, it.Checked = x.Text, x.Checked
	}
	*out = append(*out, it)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, pos, overlay, out)
		}
	case fyne.Widget:
		if r := test.WidgetRenderer(x); r != nil {
			for _, c := range r.Objects() {
				walk(c, pos, overlay, out)
			}
		}
	}
}
