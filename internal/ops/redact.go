package ops

import (
	"regexp"
	"strings"
)

// Secret is what a redacted value prints as.
const Secret = "<secret>"

// secretWords are attribute names, and the last word of snake, kebab or
// dotted names (slack_token, db.password), whose values are never shown.
var secretWords = map[string]bool{
	"token": true, "password": true, "passwd": true, "dsn": true,
	"secret": true, "authorization": true, "apikey": true, "api_key": true,
}

// IsSecretKey reports whether an attribute or parameter named key holds a
// secret: token, password, passwd, dsn, secret, authorization, apikey,
// api_key, in any case, alone or as the last word of a longer name
// ("SLACK_BOT_TOKEN", "client-secret", "db.password").
func IsSecretKey(key string) bool {
	k := strings.ToLower(key)
	if secretWords[k] {
		return true
	}
	if strings.HasSuffix(k, "api_key") {
		return true
	}
	if i := strings.LastIndexAny(k, "_-."); i >= 0 {
		return secretWords[k[i+1:]]
	}
	return false
}

var secretPatterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	// user:password@ in a URL or DSN: clickhouse://vigil:hunter2@db:9000.
	{regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*):[^/@\s]*@`), "${1}:" + Secret + "@"},
	// password=... and token=... in query strings, key=value DSNs and
	// messages; a prefix is allowed (db_password=, access-token=).
	{regexp.MustCompile(`(?i)\b((?:[a-z0-9]+[_-])*(?:password|passwd|pwd|token|secret|api_?key))=("[^"]*"|'[^']*'|[^\s&;,"']+)`), "${1}=" + Secret},
	// The same names as JSON keys: "password": "...".
	{regexp.MustCompile(`(?i)("(?:[a-z0-9]+[_-])*(?:password|passwd|token|secret|api_?key|authorization|dsn)"\s*:\s*)"(?:[^"\\]|\\.)*"`), "${1}\"" + Secret + "\""},
	// Authorization header lines and bearer tokens.
	{regexp.MustCompile(`(?i)\b(authorization\s*:\s*)[^\r\n,;]+`), "${1}" + Secret},
	{regexp.MustCompile(`(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+`), "${1}" + Secret},
	// Slack tokens that appear bare.
	{regexp.MustCompile(`\bxox[a-z]-[A-Za-z0-9-]+`), Secret},
}

// Redact masks the secrets it can recognise in free text (an error message,
// a readiness failure): URL passwords, password=/token=/secret= pairs and
// their JSON forms, Authorization headers, bearer tokens and Slack tokens.
// It is a second line of defence; code should keep secrets out of messages
// in the first place.
func Redact(s string) string {
	if !mayHoldSecret(s) {
		return s
	}
	for _, p := range secretPatterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}

// mayHoldSecret is a cheap filter so that most log values skip the regexps.
func mayHoldSecret(s string) bool {
	l := strings.ToLower(s)
	return strings.ContainsAny(s, "@=\"") || strings.Contains(l, "xox") ||
		strings.Contains(l, "bearer") || strings.Contains(l, "authorization")
}
