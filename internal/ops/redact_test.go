package ops

import "testing"

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "url password", in: "dial clickhouse://vigil:hunter2@db:9000/analytics: refused",
			want: "dial clickhouse://vigil:<secret>@db:9000/analytics: refused"},
		{name: "url without password", in: "GET https://db.example.com:8443/ping: 503",
			want: "GET https://db.example.com:8443/ping: 503"},
		{name: "query parameter", in: "tcp://db:9000?username=vigil&password=hunter2&secure=true",
			want: "tcp://db:9000?username=vigil&password=<secret>&secure=true"},
		{name: "key=value dsn", in: "host=db user=vigil password='hunt er2' sslmode=require",
			want: "host=db user=vigil password=<secret> sslmode=require"},
		{name: "prefixed key", in: "SLACK_BOT_TOKEN=xyz123 missing scope",
			want: "SLACK_BOT_TOKEN=<secret> missing scope"},
		{name: "json", in: `{"channel":"#a","token": "x\"yz","ok":false}`,
			want: `{"channel":"#a","token": "<secret>","ok":false}`},
		{name: "authorization header", in: "request had Authorization: Basic dmlnaWw6aHVudGVyMg==",
			want: "request had Authorization: <secret>"},
		{name: "bearer", in: "sent bearer abc.def-ghi to api", want: "sent bearer <secret> to api"},
		{name: "slack token", in: "invalid_auth for xoxb-1234-5678-abcdef", want: "invalid_auth for <secret>"},
		{name: "plain prose", in: "password authentication failed for user vigil",
			want: "password authentication failed for user vigil"},
		{name: "no secret words", in: "orders fell 27% at 14:00 UTC", want: "orders fell 27% at 14:00 UTC"},
		{name: "empty", in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestIsSecretKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"token", true}, {"Password", true}, {"dsn", true}, {"secret", true},
		{"authorization", true}, {"slack_bot_token", true}, {"client-secret", true},
		{"db.password", true}, {"x_api_key", true}, {"apikey", true},
		{"rule", false}, {"tokens_used", false}, {"secretary", false}, {"dsn_host", false}, {"", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := IsSecretKey(tt.key); got != tt.want {
				t.Errorf("IsSecretKey(%q) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
}

func FuzzRedact(f *testing.F) {
	for _, s := range []string{"clickhouse://a:b@c", "password=x", `"token":"y"`, "Bearer z", "xoxb-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := Redact(s)
		if twice := Redact(once); twice != once {
			t.Errorf("Redact is not idempotent: %q -> %q -> %q", s, once, twice)
		}
	})
}
