package slack

import (
	"strings"
	"unicode/utf8"
)

// Slack's documented limits that a message must respect; a payload that
// breaks one is rejected with invalid_blocks, so every renderer truncates to
// them instead.
const (
	maxBlocks        = 50   // blocks per message
	maxHeader        = 150  // header block text
	maxSectionText   = 3000 // section text
	maxFields        = 10   // section fields
	maxFieldText     = 2000 // each section field
	maxContextElems  = 10   // context block elements
	maxTextObject    = 3000 // any other text object
	maxButtonText    = 75   // button label
	maxButtonValue   = 2000 // button value
	maxFallbackText  = 4000 // the message's text, shown in notifications
	maxChartTitle    = 50   // data_visualization title
	maxChartLabel    = 20   // category, point label and series name
	maxChartAxis     = 50   // x_label and y_label
	maxChartPoints   = 20   // points per series
	maxChartSeries   = 6    // series per chart
	maxTableRows     = 100  // data rows, besides the header row
	maxTableColumns  = 20   // columns
	maxTableChars    = 10000
	maxMetadataBytes = 4000 // our cap on the metadata JSON; Slack documents none lower
	maxMetadataValue = 255  // each string in the metadata payload
)

// ellipsis marks text cut to fit a limit.
const ellipsis = "…"

// truncate cuts s to at most n characters, ending it with an ellipsis when
// it cut anything. It never cuts inside a Slack link or mention ("<…>") or
// an HTML entity ("&amp;"): it cuts before them instead.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	if n == 1 {
		return ellipsis
	}
	runes := []rune(s)
	kept := string(runes[:n-1])
	kept = cutOpen(kept, '<', '>')
	kept = cutOpen(kept, '&', ';')
	return strings.TrimRight(kept, " \n\t,;:·—-") + ellipsis
}

// cutOpen drops an unclosed open…close span at the end of s.
func cutOpen(s string, open, close byte) string {
	i := strings.LastIndexByte(s, open)
	if i < 0 || strings.IndexByte(s[i:], close) >= 0 {
		return s
	}
	if open == '&' && !isEntityPrefix(s[i:]) {
		return s
	}
	return s[:i]
}

// isEntityPrefix reports whether s could be the start of one of the three
// entities escape writes.
func isEntityPrefix(s string) bool {
	for _, e := range []string{"&amp;", "&lt;", "&gt;"} {
		if strings.HasPrefix(e, s) {
			return true
		}
	}
	return false
}

// escaper escapes the three characters Slack's mrkdwn reserves.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// esc escapes text from data (rule names, segment values) for mrkdwn.
func esc(s string) string { return escaper.Replace(s) }

// runeLen is the length Slack counts: characters.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// nonEmpty returns s, or alt when s is blank: Slack rejects empty texts.
func nonEmpty(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		return alt
	}
	return s
}
