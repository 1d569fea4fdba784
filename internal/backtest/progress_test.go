package backtest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	p := NewProgressBar(&b, "replay")
	p.Update(1, 2)
	p.Finish()
	if b.Len() != 0 {
		t.Errorf("bar on a buffer wrote %q, want nothing", b.String())
	}
	p.on = true // as on a terminal
	for i := 0; i <= 1000; i++ {
		p.Update(i, 1000)
	}
	p.Finish()
	out := b.String()
	// One draw per change of percentage or of bar length: 101 percentages
	// and 31 lengths, some changing together.
	if n := strings.Count(out, "\r"); n < 101 || n > 131 {
		t.Errorf("redraws = %d for 1001 updates, want 101 to 131", n)
	}
	if !strings.HasSuffix(out, "\rreplay [##############################] 100%  1000/1000\n") {
		t.Errorf("last draw = %q", out[max(0, len(out)-80):])
	}
	if !strings.Contains(out, "\rreplay [###############...............]  50%  500/1000") {
		t.Error("no half-way draw")
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) || IsTerminal(&bytes.Buffer{}) {
		t.Error("IsTerminal of a file or buffer = true")
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if !IsTerminal(tty) {
			t.Error("IsTerminal(/dev/tty) = false")
		}
	}
}
