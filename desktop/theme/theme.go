// Package theme is the desktop app's Fyne theme: the default look with an
// embedded CJK font, so Chinese renders on a bare machine that has no
// Chinese fonts installed. Fyne's FYNE_FONT cannot load the .ttc
// collections most Linux systems ship, and its bundled font has no CJK
// glyphs, which is why the font travels inside the binary.
package theme

import (
	_ "embed"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// DroidSansFallbackFull.otf is Droid Sans Fallback from the Android Open
// Source Project, Apache License 2.0 (see FONT-LICENSE beside it), with
// its TrueType outlines turned into CFF ones by scripts/cjk-font.py, every
// character kept. Fyne parses the theme's font once per text style, and
// go-text decodes every TrueType glyph when it parses: about 13 MiB of
// heap per parse for this font, where CFF glyphs stay bytes until drawn
// (about 2 MiB; CFF has no composite glyphs, so the glyphs the TrueType
// kept only as parts of others are gone too).
//
//go:embed DroidSansFallbackFull.otf
var cjkFont []byte

// Font is the embedded CJK font as a Fyne resource.
var Font = fyne.NewStaticResource("DroidSansFallbackFull.otf", cjkFont)

// Theme is the default Fyne theme with the embedded font for every text
// style. The font has no bold or italic faces; Fyne draws those styles
// with the regular face, which keeps Chinese legible instead of falling
// back to boxes.
type Theme struct{ base fyne.Theme }

// New returns the app's theme.
func New() *Theme { return &Theme{base: theme.DefaultTheme()} }

// Color returns the default theme's light colours whatever the desktop's
// preference: the low-importance grey of the dark variant is hard to read
// on the dim screens of township offices, and a screenshot in the manual
// should look like the screen in front of the user.
func (t *Theme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameDisabled {
		// Fyne's light grey (#e3e3e3) is also what secondary labels are
		// drawn in; on white it cannot be read. Disabled inputs stay
		// recognisably grey at this darker shade.
		return color.NRGBA{R: 0x7a, G: 0x7a, B: 0x7a, A: 0xff}
	}
	return t.base.Color(n, theme.VariantLight)
}

// Font returns the embedded CJK font whatever the style.
func (t *Theme) Font(fyne.TextStyle) fyne.Resource { return Font }

// Icon returns the default theme's icons.
func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }

// Size returns the default sizes, with text one point larger: CJK
// characters at Fyne's 14 pt default are hard to read on the small, dim
// laptop screens township offices use.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameText {
		return t.base.Size(n) + 1
	}
	return t.base.Size(n)
}
