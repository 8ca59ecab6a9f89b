package desktop

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// notice is a warning line with one button under it, hidden until shown:
// the 已合并到 … banner and the 此身份证号已登记为 … warning, each of which
// opens the record it names.
type notice struct {
	label *widget.Label
	btn   *widget.Button
	box   *fyne.Container
}

func newNotice(button string, tapped func()) *notice {
	n := &notice{label: widget.NewLabel(""), btn: widget.NewButton(button, tapped)}
	n.label.Importance = widget.WarningImportance
	n.label.Wrapping = fyne.TextWrapWord
	n.box = container.NewVBox(n.label, container.NewHBox(n.btn))
	n.box.Hide()
	return n
}

func (n *notice) object() fyne.CanvasObject { return n.box }

// show says text, with the button when withButton is set.
func (n *notice) show(text string, withButton bool) {
	n.label.SetText(text)
	if withButton {
		n.btn.Show()
	} else {
		n.btn.Hide()
	}
	n.box.Show()
}

func (n *notice) hide() { n.box.Hide() }
