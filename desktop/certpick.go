package desktop

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
)

// certPicker is the enrolment form's certificate field: a county server
// with a self-signed certificate hands the file out with the registration
// code, on a USB stick or by WeChat, and township staff choose it with a
// file dialog rather than typing a path. The path stays visible and
// editable for the rare user who has it in the clipboard.
type certPicker struct {
	path   *entry
	choose *widget.Button
	box    fyne.CanvasObject
}

// caHint explains the optional certificate file.
const caHint = "可选：服务器的自签名证书(.pem/.crt)"

func newCertPicker(u *UI) *certPicker {
	p := &certPicker{path: newEntry(u, caHint)}
	p.choose = widget.NewButton("选择证书文件…", func() {
		d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return // cancelled
			}
			r.Close()
			p.path.SetText(r.URI().Path())
		}, u.win)
		d.SetFilter(storage.NewExtensionFileFilter([]string{".pem", ".crt", ".cer"}))
		d.Resize(fyne.NewSize(900, 600))
		d.Show()
	})
	p.box = container.NewBorder(nil, nil, nil, p.choose, p.path)
	return p
}

// Path is the chosen file, "" for none.
func (p *certPicker) Path() string { return p.path.Text }
