package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // upper case: FROM, RUN, ...
	args string
	line int
}

// parseDockerfile splits a Dockerfile into instructions, dropping comments
// and joining lines continued with a backslash.
func parseDockerfile(text string) []instruction {
	var out []instruction
	var cur strings.Builder
	start := 0
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		if cont, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cur.WriteString(strings.TrimSpace(cont) + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args), line: start})
		cur.Reset()
	}
	return out
}

// goBuildLine returns the go build command of a RUN instruction's text,
// without RUN's own --flags: from "CGO_ENABLED" or "go build" on.
func goBuildLine(run string) string {
	fields := strings.Fields(run)
	for len(fields) > 0 && strings.HasPrefix(fields[0], "--") {
		fields = fields[1:]
	}
	return strings.Join(fields, " ")
}

// documentedBuild returns the go build line of BUILD.md: the line of a
// shell block that runs go build.
func documentedBuild(t testing.TB) string {
	t.Helper()
	inBlock := false
	for line := range strings.Lines(string(readFile(t, "BUILD.md"))) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "```"):
			inBlock = !inBlock
		case inBlock && strings.Contains(line, "go build "):
			return strings.Join(strings.Fields(line), " ")
		}
	}
	t.Fatal("BUILD.md has no shell block with a go build line")
	return ""
}

var goDirective = regexp.MustCompile(`(?m)^go (\d+\.\d+)`)

// checkDockerfile checks the image's build and runtime stages against the
// documented build line and what vigil needs at run time.
func checkDockerfile(text, documented, goMod string) problems {
	var p problems
	var froms, runs []instruction
	var last []instruction // the final stage
	for _, in := range parseDockerfile(text) {
		if in.cmd == "FROM" {
			froms = append(froms, in)
			last = nil
		}
		if in.cmd == "RUN" {
			runs = append(runs, in)
		}
		last = append(last, in)
	}
	if len(froms) != 2 {
		p.add("want two stages (build and runtime), got %d", len(froms))
		return p
	}
	checkStages(froms[0].args, froms[1].args, goMod, &p)
	i := slices.IndexFunc(runs, func(in instruction) bool { return strings.Contains(in.args, "go build") })
	if i < 0 {
		p.add("no RUN instruction runs go build")
	} else if got := goBuildLine(runs[i].args); got != documented {
		p.add("line %d builds with\n\t%s\nbut BUILD.md documents\n\t%s", runs[i].line, got, documented)
	}
	checkRuntime(last, &p)
	return p
}

// checkStages checks the base images: a Go image of go.mod's version, and
// a runtime of the same Debian release (glibc must not be older).
func checkStages(build, runtime, goMod string, p *problems) {
	m := goDirective.FindStringSubmatch(goMod)
	if m == nil || !strings.HasPrefix(build, "golang:"+m[1]+"-") {
		p.add("build stage %q is not golang:<go.mod's Go>-<debian release>", build)
	}
	releases := map[string]string{"bookworm": "debian12", "trixie": "debian13"}
	var codename string
	for c := range releases {
		if strings.Contains(build, "-"+c) {
			codename = c
		}
	}
	if codename == "" || !strings.Contains(runtime, releases[codename]) && !strings.Contains(runtime, codename) {
		p.add("build stage %q and runtime %q are not the same Debian release", build, runtime)
	}
}

// checkRuntime checks the final stage: vigil installed, non-root, the ops
// port exposed and the default command reachable from outside.
func checkRuntime(stage []instruction, p *problems) {
	base := stage[0].args
	distroless := strings.Contains(base, "distroless")
	var user string
	var expose, entry, cmd []string
	copied := false
	for _, in := range stage {
		switch in.cmd {
		case "USER":
			user = in.args
		case "EXPOSE":
			expose = append(expose, strings.Fields(in.args)...)
		case "ENTRYPOINT":
			entry = execForm(in.args, p)
		case "CMD":
			cmd = execForm(in.args, p)
		case "COPY":
			copied = copied || strings.HasSuffix(in.args, " /usr/local/bin/vigil") && strings.Contains(in.args, "--from=build")
		case "HEALTHCHECK":
			if distroless {
				p.add("HEALTHCHECK in a distroless image: it has no shell or HTTP client to run it")
			}
		}
	}
	if !copied {
		p.add("the runtime stage does not copy the built binary to /usr/local/bin/vigil")
	}
	if uid, _, _ := strings.Cut(user, ":"); uid == "" || uid == "0" || uid == "root" {
		p.add("the runtime stage runs as %q; want a non-root numeric user", user)
	}
	if !slices.Contains(expose, fmt.Sprint(opsPort)) {
		p.add("the runtime stage does not EXPOSE %d", opsPort)
	}
	if len(entry) != 1 || !strings.HasSuffix(entry[0], "vigil") {
		p.add("ENTRYPOINT is %q, want the vigil binary alone", entry)
	}
	if listen, _ := flagValue(cmd, "listen"); len(cmd) == 0 || cmd[0] != "run" || listen != fmt.Sprintf("0.0.0.0:%d", opsPort) {
		p.add("CMD is %q, want run with --listen=0.0.0.0:%d", cmd, opsPort)
	}
	if c, _ := flagValue(cmd, "config"); c != "/etc/vigil/vigil.yaml" {
		p.add("CMD's --config is %q, want /etc/vigil/vigil.yaml", c)
	}
}

// execForm reads a JSON array instruction argument.
func execForm(args string, p *problems) []string {
	var out []string
	if err := json.Unmarshal([]byte(args), &out); err != nil {
		p.add("%s is not in exec (JSON) form: a distroless image has no shell", args)
	}
	return out
}

func TestDockerfile(t *testing.T) {
	goMod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	expectNone(t, "Dockerfile", checkDockerfile(string(readFile(t, "Dockerfile")), documentedBuild(t), string(goMod)))
}

// TestDockerfileChecksCatch breaks copies of the Dockerfile one way each.
func TestDockerfileChecksCatch(t *testing.T) {
	orig := string(readFile(t, "Dockerfile"))
	goMod := "module vigil\n\ngo 1.26.8\n"
	tests := []struct{ name, old, new, want string }{
		{"build line drifts", `-o bin/vigil ./cmd/vigil`, `-o bin/vigil -tags netgo ./cmd/vigil`, "BUILD.md documents"},
		{"cgo off", `CGO_ENABLED=1 go build`, `CGO_ENABLED=0 go build`, "BUILD.md documents"},
		{"newer builder", "golang:1.26-bookworm", "golang:1.26-trixie", "not the same Debian release"},
		{"older go", "golang:1.26-bookworm", "golang:1.25-bookworm", "go.mod's Go"},
		{"root", "USER 65532:65532", "USER root", "non-root"},
		{"port", "EXPOSE 9464", "EXPOSE 8080", "EXPOSE 9464"},
		{"shell form", `ENTRYPOINT ["/usr/local/bin/vigil"]`, `ENTRYPOINT /usr/local/bin/vigil`, "exec (JSON) form"},
		{"loopback", `, "--listen=0.0.0.0:9464"]`, `]`, "--listen=0.0.0.0:9464"},
		{"health check", "EXPOSE 9464", "EXPOSE 9464\nHEALTHCHECK CMD curl -f http://localhost:9464/healthz", "HEALTHCHECK in a distroless image"},
		{"binary not copied", "COPY --from=build /src/bin/vigil /usr/local/bin/vigil", "", "does not copy the built binary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(orig, tt.old) {
				t.Fatalf("the Dockerfile no longer contains %q; update this case", tt.old)
			}
			broken := strings.Replace(orig, tt.old, tt.new, 1)
			expectProblem(t, checkDockerfile(broken, documentedBuild(t), goMod), tt.want)
		})
	}
}

func TestParseDockerfile(t *testing.T) {
	text := "# syntax=docker/dockerfile:1\nFROM a AS b\n\nRUN --mount=type=cache,target=/x \\\n    go build \\\n    ./cmd\n# done\nCMD [\"x\"]\n"
	got := parseDockerfile(text)
	want := []instruction{{"FROM", "a AS b", 2}, {"RUN", "--mount=type=cache,target=/x go build ./cmd", 4}, {"CMD", `["x"]`, 8}}
	if !slices.Equal(got, want) {
		t.Errorf("parseDockerfile = %+v, want %+v", got, want)
	}
	if got := goBuildLine(want[1].args); got != "go build ./cmd" {
		t.Errorf("goBuildLine = %q, want %q", got, "go build ./cmd")
	}
}
