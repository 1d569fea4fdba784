package webhook

import (
	"cmp"
	"io"
	"net/url"
	"slices"
	"strings"
)

// minSecret is the shortest part of a URL treated as secret: shorter parts
// ("v1", "api") guess nothing and would garble messages if hidden.
const minSecret = 4

// secrets lists the parts of u that may hold a token, longest first: user
// info, the path and each of its segments, the query and each of its
// values.
func secrets(u *url.URL) []string {
	var s []string
	if u.User != nil {
		p, _ := u.User.Password()
		s = append(s, u.User.String(), u.User.Username(), p)
	}
	s = append(s, u.Path, u.EscapedPath(), u.RawQuery)
	s = append(s, strings.Split(u.Path, "/")...)
	s = append(s, strings.Split(u.EscapedPath(), "/")...)
	for _, vs := range u.Query() {
		s = append(s, vs...)
	}
	for _, kv := range strings.Split(u.RawQuery, "&") {
		if _, v, ok := strings.Cut(kv, "="); ok {
			s = append(s, v)
		}
	}
	s = slices.DeleteFunc(s, func(x string) bool { return len(x) < minSecret })
	slices.SortFunc(s, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return slices.Compact(s)
}

// redact replaces the URL's secret parts in s.
func (n *Notifier) redact(s string) string {
	for _, secret := range n.secrets {
		s = strings.ReplaceAll(s, secret, "<secret>")
	}
	return s
}

// maxSnippet is how much of a failed response's body an error shows.
const maxSnippet = 200

// snippet returns the start of a response body for an error message, with
// the URL's secrets hidden: receivers echo paths in their errors. It reads
// a little beyond maxSnippet so that a secret straddling the cut is hidden
// whole.
func (n *Notifier) snippet(body io.Reader) string {
	longest := 0
	if len(n.secrets) > 0 {
		longest = len(n.secrets[0])
	}
	b, _ := io.ReadAll(io.LimitReader(body, int64(maxSnippet+longest)))
	s := n.redact(string(b))
	if len(s) > maxSnippet {
		s = s[:maxSnippet]
	}
	return strings.TrimSpace(strings.ToValidUTF8(s, ""))
}
