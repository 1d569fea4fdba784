package backtest

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// ProgressBar draws a one-line progress bar on a terminal:
//
//	replay [##########..........]  50%  672/1344
//
// On anything but a terminal (a file, a pipe, a CI log) it draws nothing,
// so output stays clean. It redraws only when the bar or the percentage
// changes, so calling Update at every step is cheap.
type ProgressBar struct {
	w     io.Writer
	label string
	width int  // characters inside the brackets
	on    bool // whether w is a terminal
	drawn int  // percentage and bar length last drawn, -1 before the first draw
	line  bool // whether a line is open
}

// NewProgressBar returns a bar that draws on w when w is a terminal.
func NewProgressBar(w io.Writer, label string) *ProgressBar {
	return &ProgressBar{w: w, label: label, width: 30, on: IsTerminal(w), drawn: -1}
}

// IsTerminal reports whether w is a character device such as a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Update draws done of total; it fits Replay's Progress field.
func (p *ProgressBar) Update(done, total int) {
	if !p.on || total <= 0 {
		return
	}
	done = max(0, min(done, total))
	fill := done * p.width / total
	pct := done * 100 / total
	key := pct*(p.width+1) + fill
	if key == p.drawn {
		return
	}
	p.drawn, p.line = key, true
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%%  %d/%d", p.label,
		strings.Repeat("#", fill), strings.Repeat(".", p.width-fill), pct, done, total)
}

// Finish ends the bar's line, if one was drawn.
func (p *ProgressBar) Finish() {
	if p.on && p.line {
		fmt.Fprintln(p.w)
		p.line = false
	}
}
