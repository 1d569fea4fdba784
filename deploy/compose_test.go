package deploy_test

import (
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"vigil/config"
)

// The compose file, read as docker compose reads it: ${VAR:-default}
// interpolated from an environment, short volume syntax, paths relative to
// the file's folder.

const composeFile = "compose.yaml"

// composeEnv is the environment docker compose runs with in the checks:
// nothing set but a Slack token, so that the defaults in the file are used.
var composeEnv = map[string]string{"SLACK_BOT_TOKEN": "xoxb-compose-test"}

var composeVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}`)

// interpolate expands ${VAR}, ${VAR:-default} and ${VAR-default} as
// docker compose does.
func interpolate(s string, env map[string]string) string {
	return composeVar.ReplaceAllStringFunc(s, func(m string) string {
		g := composeVar.FindStringSubmatch(m)
		v, set := env[g[1]]
		switch {
		case g[2] == ":-" && v == "", g[2] == "-" && !set:
			return g[3]
		}
		return v
	})
}

// composeMount is one entry of a service's volumes.
type composeMount struct {
	source, target string // source: a host path (resolved) or a volume name
	bind, readOnly bool
}

func composeMounts(svc obj) []composeMount {
	var out []composeMount
	for _, v := range strs(svc, "volumes") {
		parts := strings.Split(v, ":")
		m := composeMount{source: parts[0]}
		if len(parts) > 1 {
			m.target = parts[1]
		}
		m.readOnly = len(parts) > 2 && slices.Contains(strings.Split(parts[2], ","), "ro")
		if strings.HasPrefix(m.source, ".") || strings.HasPrefix(m.source, "/") {
			m.bind = true
			m.source = path.Clean(path.Join(path.Dir(composeFile), m.source))
		}
		out = append(out, m)
	}
	return out
}

// mountOf returns the mount holding container path p, and p's host path
// when that mount is a bind mount.
func mountOf(ms []composeMount, p string) (composeMount, string, bool) {
	var best composeMount
	found := false
	for _, m := range ms {
		if under(p, m.target) && (!found || len(m.target) > len(best.target)) {
			best, found = m, true
		}
	}
	host := ""
	if found && best.bind {
		host = path.Join(best.source, strings.TrimPrefix(p, best.target))
	}
	return best, host, found
}

// composeRuleFiles lists the rules files the compose setup mounts.
func composeRuleFiles(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir("compose/vigil/rules")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			out = append(out, e.Name())
		}
	}
	return out
}

// checkCompose checks the compose file, decoded as doc.
func checkCompose(t *testing.T, doc obj) problems {
	t.Helper()
	var p problems
	vigil, ch := mapping(doc, "services", "vigil"), mapping(doc, "services", "clickhouse")
	if vigil == nil || ch == nil {
		p.add("want services vigil and clickhouse")
		return p
	}
	checkComposeBuild(vigil, &p)
	checkComposeClickHouse(ch, &p)
	if str(vigil, "depends_on", "clickhouse", "condition") != "service_healthy" {
		p.add("vigil must depend on clickhouse with condition service_healthy, so that it starts once the data is in")
	}
	env := map[string]string{}
	for k, v := range mapping(vigil, "environment") {
		env[k] = interpolate(str(v), composeEnv)
	}
	if !strings.Contains(str(vigil, "environment", "SLACK_BOT_TOKEN"), "${SLACK_BOT_TOKEN") {
		p.add("vigil's environment does not pass SLACK_BOT_TOKEN through from the host")
	}
	args := strs(vigil, "command")
	if listen, _ := flagValue(args, "listen"); listen != "0.0.0.0:9464" {
		p.add("vigil's command needs --listen=0.0.0.0:9464, got %q", listen)
	}
	if !slices.ContainsFunc(strs(vigil, "ports"), func(s string) bool { return strings.HasSuffix(s, ":9464") }) {
		p.add("vigil does not publish port 9464")
	}
	cfg := loadComposeConfig(t, doc, vigil, args, env, &p)
	if cfg == nil {
		return p
	}
	for _, s := range cfg.Sources {
		checkComposeDSN(doc, s, &p)
	}
	return p
}

// checkComposeBuild checks that vigil is built from deploy/Dockerfile.
func checkComposeBuild(vigil obj, p *problems) {
	ctx := path.Join(path.Dir(composeFile), str(vigil, "build", "context"))
	df := path.Join(ctx, str(vigil, "build", "dockerfile"))
	got, err1 := filepath.Abs(filepath.FromSlash(df))
	want, err2 := filepath.Abs("Dockerfile")
	if err1 != nil || err2 != nil || got != want {
		p.add("vigil is built from %s, want this folder's Dockerfile", df)
	}
	if _, err := os.Stat(filepath.Join(filepath.FromSlash(ctx), "go.mod")); err != nil {
		p.add("vigil's build context %s is not the module root", ctx)
	}
}

// checkComposeClickHouse checks the ClickHouse service: its health check
// and its init scripts.
func checkComposeClickHouse(ch obj, p *problems) {
	if !strings.HasPrefix(str(ch, "image"), "clickhouse/clickhouse-server:") {
		p.add("clickhouse runs %q, want a pinned clickhouse/clickhouse-server", str(ch, "image"))
	}
	if len(strs(ch, "healthcheck", "test")) == 0 {
		p.add("clickhouse has no healthcheck, so vigil cannot wait for it")
	}
	_, host, ok := mountOf(composeMounts(ch), "/docker-entrypoint-initdb.d")
	sql, _ := filepath.Glob(filepath.Join(filepath.FromSlash(host), "*.sql"))
	if !ok || len(sql) == 0 {
		p.add("clickhouse mounts no folder of .sql files at /docker-entrypoint-initdb.d")
	}
}

// loadComposeConfig loads the config vigil's command names, through the
// service's mounts, and checks where its rules and state are.
func loadComposeConfig(t *testing.T, doc, vigil obj, args []string, env map[string]string, p *problems) *config.Config {
	t.Helper()
	mounts := composeMounts(vigil)
	file, _ := flagValue(args, "config")
	_, host, ok := mountOf(mounts, file)
	if _, err := os.Stat(filepath.FromSlash(host)); !ok || err != nil {
		p.add("vigil's --config %q is not on a bind mount of an existing file", file)
		return nil
	}
	setEnv(t, string(readFile(t, host)), env)
	cfg, err := config.Load(filepath.FromSlash(host))
	if err != nil {
		p.add("vigil's config does not load: %v", err)
		return nil
	}
	rel, err := filepath.Rel(filepath.Dir(filepath.FromSlash(host)), cfg.RulesDir)
	rules := path.Join(path.Dir(file), filepath.ToSlash(rel))
	_, rulesHost, ok := mountOf(mounts, rules)
	if err != nil || !ok || filepath.FromSlash(rulesHost) != cfg.RulesDir || len(cfg.Metrics) == 0 {
		p.add("the config's rules folder %s is not mounted from %s, or holds no rules", rules, cfg.RulesDir)
	}
	m, _, ok := mountOf(mounts, path.Dir(cfg.State))
	if !ok || m.bind || m.readOnly || !hasKey(mapping(doc, "volumes"), m.source) {
		p.add("the state file %s is not on a writable named volume", cfg.State)
	}
	return cfg
}

func hasKey(m obj, k string) bool { _, ok := m[k]; return ok }

// checkComposeDSN checks that a ClickHouse source reaches the compose
// ClickHouse service on its native port, as a user the image lets in.
func checkComposeDSN(doc obj, s config.Source, p *problems) {
	if s.Type != "clickhouse" {
		return
	}
	u, err := url.Parse(s.DSN)
	if err != nil {
		p.add("source %s: DSN does not parse", s.Name)
		return
	}
	svc := mapping(doc, "services", u.Hostname())
	if svc == nil || !strings.HasPrefix(str(svc, "image"), "clickhouse/") {
		p.add("source %s connects to host %q, which is not the compose ClickHouse service", s.Name, u.Hostname())
		return
	}
	if u.Port() != "9000" {
		p.add("source %s connects to port %q, want ClickHouse's native port 9000", s.Name, u.Port())
	}
	pw, _ := u.User.Password()
	if (u.User.Username() == "default" || u.User.Username() == "") && pw == "" && str(svc, "environment", "CLICKHOUSE_SKIP_USER_SETUP") != "1" {
		p.add("source %s logs in as default without a password, which the image allows only with CLICKHOUSE_SKIP_USER_SETUP=1", s.Name)
	}
}

func TestCompose(t *testing.T) {
	expectNone(t, composeFile, checkCompose(t, yamlFile(t, composeFile)[0]))
}

// TestComposeChecksCatch breaks copies of the compose file one way each.
func TestComposeChecksCatch(t *testing.T) {
	orig := yamlFile(t, composeFile)[0]
	vigil := []any{"services", "vigil"}
	at := func(p ...any) []any { return append(slices.Clone(vigil), p...) }
	tests := []struct {
		name    string
		breakIt func(t *testing.T, doc obj)
		want    string
	}{
		{"starts before the data", func(t *testing.T, doc obj) {
			set(t, doc, "service_started", at("depends_on", "clickhouse", "condition")...)
		}, "condition service_healthy"},
		{"no health check", func(t *testing.T, doc obj) {
			remove(t, doc, "services", "clickhouse", "healthcheck")
		}, "no healthcheck"},
		{"dsn to localhost", func(t *testing.T, doc obj) {
			set(t, doc, "${CLICKHOUSE_DSN:-clickhouse://default:@localhost:9000/default}", at("environment", "CLICKHOUSE_DSN")...)
		}, `host "localhost"`},
		{"dsn to the http port", func(t *testing.T, doc obj) {
			set(t, doc, "${CLICKHOUSE_DSN:-clickhouse://default:@clickhouse:8123/default}", at("environment", "CLICKHOUSE_DSN")...)
		}, `port "8123"`},
		{"default user locked", func(t *testing.T, doc obj) {
			remove(t, doc, "services", "clickhouse", "environment", "CLICKHOUSE_SKIP_USER_SETUP")
		}, "CLICKHOUSE_SKIP_USER_SETUP=1"},
		{"only the config file mounted", func(t *testing.T, doc obj) {
			set(t, doc, "./compose/vigil/vigil.yaml:/etc/vigil/vigil.yaml:ro", at("volumes", 0)...)
		}, "rules folder /etc/vigil/rules is not mounted"},
		{"config path wrong", func(t *testing.T, doc obj) {
			set(t, doc, []any{"run", "--config", "/etc/vigil.yaml", "--listen=0.0.0.0:9464"}, at("command")...)
		}, `--config "/etc/vigil.yaml"`},
		{"state off the volume", func(t *testing.T, doc obj) {
			set(t, doc, "vigil-state:/data", at("volumes", 1)...)
		}, "not on a writable named volume"},
		{"no slack token", func(t *testing.T, doc obj) {
			remove(t, doc, at("environment", "SLACK_BOT_TOKEN")...)
		}, "SLACK_BOT_TOKEN"},
		{"loopback listener", func(t *testing.T, doc obj) {
			set(t, doc, []any{"run", "--config", "/etc/vigil/vigil.yaml"}, at("command")...)
		}, "--listen=0.0.0.0:9464"},
		{"no init scripts", func(t *testing.T, doc obj) {
			set(t, doc, []any{"clickhouse-data:/var/lib/clickhouse"}, "services", "clickhouse", "volumes")
		}, "/docker-entrypoint-initdb.d"},
		{"built from elsewhere", func(t *testing.T, doc obj) {
			set(t, doc, ".", at("build", "context")...)
		}, "not the module root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := clone(orig)
			tt.breakIt(t, doc)
			expectProblem(t, checkCompose(t, doc), tt.want)
		})
	}
}

func TestInterpolate(t *testing.T) {
	env := map[string]string{"SET": "x", "EMPTY": ""}
	tests := []struct{ name, in, want string }{
		{"set", "${SET}", "x"},
		{"unset", "a${UNSET}b", "ab"},
		{"default when unset", "${UNSET:-d}", "d"},
		{"default when empty", "${EMPTY:-d}", "d"},
		{"dash keeps empty", "${EMPTY-d}", ""},
		{"dash when unset", "${UNSET-d}", "d"},
		{"value wins", "${SET:-d}", "x"},
		{"dsn default", "${DSN:-clickhouse://default:@clickhouse:9000/default}", "clickhouse://default:@clickhouse:9000/default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := interpolate(tt.in, env); got != tt.want {
				t.Errorf("interpolate(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
