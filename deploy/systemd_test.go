package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// unit is a systemd unit file: section → key → values, in order (a key may
// be given several times).
type unit map[string]map[string][]string

func parseUnit(text string) unit {
	u := unit{}
	section := ""
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			if u[section] == nil {
				u[section] = map[string][]string{}
			}
		default:
			k, v, _ := strings.Cut(line, "=")
			if u[section] == nil {
				u[section] = map[string][]string{}
			}
			u[section][strings.TrimSpace(k)] = append(u[section][strings.TrimSpace(k)], strings.TrimSpace(v))
		}
	}
	return u
}

// one returns the last value of a key, as systemd uses it.
func (u unit) one(section, key string) string {
	v := u[section][key]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// systemdSeconds reads a systemd time span such as 90s, 2min or 1min 30s.
func systemdSeconds(s string) (time.Duration, bool) {
	var total time.Duration
	units := map[string]time.Duration{"s": time.Second, "sec": time.Second, "min": time.Minute, "m": time.Minute, "h": time.Hour}
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return 0, false
	}
	for _, f := range fields {
		i := strings.IndexFunc(f, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			i = len(f)
		}
		n, err := strconv.Atoi(f[:i])
		u, ok := units[f[i:]]
		if f[i:] == "" {
			u, ok = time.Second, true
		}
		if err != nil || !ok {
			return 0, false
		}
		total += time.Duration(n) * u
	}
	return total, true
}

// checkUnit checks the service runs vigil as the vigil user, hardened,
// reloadable with SIGHUP and with time to stop gracefully.
func checkUnit(u unit) problems {
	var p problems
	want := map[string]string{
		"Type":                  "simple",
		"User":                  "vigil",
		"NoNewPrivileges":       "yes",
		"ProtectSystem":         "strict",
		"ProtectHome":           "yes",
		"PrivateTmp":            "yes",
		"StateDirectory":        "vigil",
		"EnvironmentFile":       "-/etc/vigil/env",
		"ExecReload":            "/bin/kill -HUP $MAINPID",
		"Restart":               "on-failure",
		"ExecStart":             "/usr/local/bin/vigil run --config /etc/vigil/vigil.yaml",
		"CapabilityBoundingSet": "",
	}
	for k, v := range want {
		if _, set := u["Service"][k]; !set || u.one("Service", k) != v {
			p.add("[Service] %s=%s, want %s=%s", k, u.one("Service", k), k, v)
		}
	}
	if !slices.Contains(strings.Fields(strings.Join(u["Service"]["ReadWritePaths"], " ")), "/var/lib/vigil") {
		p.add("[Service] ReadWritePaths does not include /var/lib/vigil, where the state file goes")
	}
	// vigil's own shutdown timeout is 30s, after the evaluations in flight.
	if d, ok := systemdSeconds(u.one("Service", "TimeoutStopSec")); !ok || d < time.Minute {
		p.add("[Service] TimeoutStopSec=%s leaves vigil less than a minute to finish deliveries", u.one("Service", "TimeoutStopSec"))
	}
	if !slices.Contains(u["Unit"]["After"], "network-online.target") || !slices.Contains(u["Unit"]["Wants"], "network-online.target") {
		p.add("[Unit] want After= and Wants=network-online.target: vigil queries the warehouse at start")
	}
	if u.one("Install", "WantedBy") != "multi-user.target" {
		p.add("[Install] WantedBy=%s, want multi-user.target", u.one("Install", "WantedBy"))
	}
	return p
}

func TestSystemdUnit(t *testing.T) {
	expectNone(t, "systemd/vigil.service", checkUnit(parseUnit(string(readFile(t, "systemd/vigil.service")))))
	users := string(readFile(t, "systemd/vigil.sysusers"))
	if !slices.ContainsFunc(strings.Split(users, "\n"), func(l string) bool { return strings.HasPrefix(l, "u vigil ") }) {
		t.Errorf("systemd/vigil.sysusers does not create the user vigil that the unit runs as")
	}
}

// TestSystemdChecksCatch breaks copies of the unit one way each.
func TestSystemdChecksCatch(t *testing.T) {
	orig := string(readFile(t, "systemd/vigil.service"))
	tests := []struct{ name, old, new, want string }{
		{"privileges", "NoNewPrivileges=yes\n", "", "NoNewPrivileges"},
		{"root", "User=vigil", "User=root", "User=root"},
		{"config path", "run --config /etc/vigil/vigil.yaml", "run --config /etc/vigil.yaml", "ExecStart"},
		{"short stop", "TimeoutStopSec=90s", "TimeoutStopSec=10s", "less than a minute"},
		{"no reload", "ExecReload=/bin/kill -HUP $MAINPID\n", "", "ExecReload"},
		{"state not writable", "ReadWritePaths=/var/lib/vigil", "ReadWritePaths=/var/lib/other", "ReadWritePaths"},
		{"secrets required", "EnvironmentFile=-/etc/vigil/env", "EnvironmentFile=/etc/vigil/env", "EnvironmentFile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(orig, tt.old) {
				t.Fatalf("the unit no longer contains %q; update this case", tt.old)
			}
			expectProblem(t, checkUnit(parseUnit(strings.Replace(orig, tt.old, tt.new, 1))), tt.want)
		})
	}
}

// TestSystemdVerify has systemd itself read the unit, with ExecStart
// pointed at a program that exists here. It skips without systemd-analyze.
func TestSystemdVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	text := strings.ReplaceAll(string(readFile(t, "systemd/vigil.service")), "/usr/local/bin/vigil", "/bin/true")
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.service")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", path).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func TestSystemdSeconds(t *testing.T) {
	tests := []struct {
		name, in string
		want     time.Duration
		ok       bool
	}{
		{"seconds", "90s", 90 * time.Second, true},
		{"minutes", "2min", 2 * time.Minute, true},
		{"both", "1min 30s", 90 * time.Second, true},
		{"bare number", "45", 45 * time.Second, true},
		{"empty", "", 0, false},
		{"not a time", "soon", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := systemdSeconds(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("systemdSeconds(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}
