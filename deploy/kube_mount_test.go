package deploy_test

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"vigil/config"
)

// Loading vigil's config the way the pod sees it: the vigil container's
// volumes are laid out under a temporary root as the kubelet lays them out
// (ConfigMaps as ..data symlinks to a timestamped folder, nested mounts,
// git-sync's link to its checkout), and config.Load reads the file named by
// --config from there, with the environment the container gets.

// configMapLayout writes a ConfigMap volume the way the kubelet's atomic
// writer does: the files in a timestamped folder, ..data linking to it and
// one symlink per key through ..data.
func configMapLayout(dir string, data obj) error {
	const ts = "..2026_01_02_03_04_05.000000001"
	if err := os.MkdirAll(filepath.Join(dir, ts), 0o755); err != nil {
		return err
	}
	if err := os.Symlink(ts, filepath.Join(dir, "..data")); err != nil {
		return err
	}
	for key, text := range data {
		if err := os.WriteFile(filepath.Join(dir, ts, key), []byte(str(text)), 0o644); err != nil {
			return err
		}
		if err := os.Symlink(filepath.Join("..data", key), filepath.Join(dir, key)); err != nil {
			return err
		}
	}
	return nil
}

// gitSyncLayout writes what git-sync leaves in its volume: a checkout of
// the rules repository (a rules/ folder holding the example rules) behind
// the link --link, under --root. It does nothing when no git-sync container
// writes to the volume.
func gitSyncLayout(v *variant, w workload, volume, dir string) error {
	for _, c := range w.containers() {
		if !strings.Contains(str(c, "image"), "git-sync") {
			continue
		}
		args := strs(c, "args")
		root, _ := flagValue(args, "root")
		link, _ := flagValue(args, "link")
		for _, m := range list(c, "volumeMounts") {
			if str(m, "name") != volume || !under(root, str(m, "mountPath")) || link == "" {
				continue
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(root, str(m, "mountPath")), "/")
			base := filepath.Join(dir, filepath.FromSlash(rel))
			tree := filepath.Join(base, ".worktrees", "0123abcd")
			if err := os.MkdirAll(filepath.Join(tree, "rules"), 0o755); err != nil {
				return err
			}
			rules, err := render("kubernetes/rules")
			if err != nil {
				return err
			}
			for key, text := range mapping(rules.find("ConfigMap", "vigil-rules"), "data") {
				if err := os.WriteFile(filepath.Join(tree, "rules", key), []byte(str(text)), 0o644); err != nil {
					return err
				}
			}
			return os.Symlink(filepath.Join(".worktrees", "0123abcd"), filepath.Join(base, filepath.FromSlash(link)))
		}
	}
	return nil
}

// layout lays out container c's volumes under root, outer mounts first.
func layout(v *variant, w workload, c obj, root string, p *problems) {
	for _, m := range mountsByDepth(c) {
		dir := filepath.Join(root, filepath.FromSlash(str(m, "mountPath")))
		vol, kind := w.volume(str(m, "name"))
		var err error
		switch {
		case kind == "configMap":
			cm := v.find("ConfigMap", str(vol, "configMap", "name"))
			if cm == nil {
				continue // reported by checkRefs
			}
			err = configMapLayout(dir, mapping(cm, "data"))
		case kind == "emptyDir":
			if err = os.MkdirAll(dir, 0o755); err == nil {
				err = gitSyncLayout(v, w, str(m, "name"), dir)
			}
		default:
			err = os.MkdirAll(dir, 0o755)
		}
		if err != nil {
			p.add("lay out volume %s at %s: %v", str(m, "name"), str(m, "mountPath"), err)
		}
	}
}

var (
	envRef      = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}`)
	absoluteKey = regexp.MustCompile(`(?m)^(rules|state):\s*"?(/[^"\s#]+)"?`)
)

// containerEnv returns the environment a container gets: literal values,
// and the Secret template's placeholder for each secretKeyRef.
func containerEnv(c, secret obj) map[string]string {
	env := map[string]string{}
	for _, e := range list(c, "env") {
		if ref := mapping(e, "valueFrom", "secretKeyRef"); ref != nil {
			if str(ref, "name") == str(secret, "metadata", "name") {
				env[str(e, "name")] = str(secret, "stringData", str(ref, "key"))
			}
			continue
		}
		env[str(e, "name")] = str(e, "value")
	}
	return env
}

// checkConfig loads the vigil container's config from the laid-out volumes
// and checks where its rules and state end up.
func checkConfig(t *testing.T, v *variant, w workload, secret obj, p *problems) {
	t.Helper()
	c := w.container("vigil")
	if c == nil {
		return // reported by checkPorts
	}
	file, ok := flagValue(strs(c, "args"), "config")
	if !ok || !path.IsAbs(file) {
		p.add("%s: vigil's args need --config with an absolute path, got %q", w.name(), file)
		return
	}
	root := t.TempDir()
	layout(v, w, c, root, p)
	host := filepath.Join(root, filepath.FromSlash(file))
	text, err := os.ReadFile(host)
	if err != nil {
		p.add("%s: --config %s is not in any mounted volume: %v", w.name(), file, err)
		return
	}
	env := containerEnv(c, secret)
	for _, m := range envRef.FindAllStringSubmatch(withoutComments(string(text)), -1) {
		if _, set := env[m[1]]; !set && m[2] == "" {
			p.add("%s: %s uses ${%s}, which the vigil container's env does not set", w.name(), file, m[1])
		}
	}
	setEnv(t, string(text), env)
	// Absolute paths in the file mean the container's file system: move
	// them under root, where the container's volumes are laid out.
	rebased := absoluteKey.ReplaceAllString(string(text), "$1: "+filepath.ToSlash(root)+"$2")
	if err := os.WriteFile(host, []byte(rebased), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(host)
	if err != nil {
		p.add("%s: vigil's config does not load as mounted: %v", w.name(), err)
		return
	}
	inPod := func(h string) string {
		return "/" + strings.TrimPrefix(filepath.ToSlash(strings.TrimPrefix(h, root)), "/")
	}
	checkRulesMount(w, c, inPod(cfg.RulesDir), len(cfg.Metrics), p)
	checkStateMount(w, c, inPod(cfg.State), p)
}

// setEnv gives the test the environment env, and unsets every other
// variable the config text refers to, so that the caller's own environment
// cannot make a config load that would not load in its container.
func setEnv(t *testing.T, text string, env map[string]string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	for _, m := range envRef.FindAllStringSubmatch(text, -1) {
		if _, ok := env[m[1]]; !ok {
			t.Setenv(m[1], "")
			os.Unsetenv(m[1])
		}
	}
}

// withoutComments drops YAML comments: whole comment lines and the part of
// a line from a " #" on (enough for vigil's config files, whose values hold
// no " #").
func withoutComments(text string) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i] + "\n"
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

// checkRulesMount checks that the rules folder vigil reads is a mounted
// volume of rules, and that rules were found there.
func checkRulesMount(w workload, c obj, rules string, metrics int, p *problems) {
	m := mountFor(c, rules)
	vol, kind := w.volume(str(m, "name"))
	ok := kind == "configMap" && str(vol, "configMap", "name") == "vigil-rules" || kind == "emptyDir" && str(m, "name") == "git"
	if !ok {
		p.add("%s: the config's rules folder %s is not on the vigil-rules ConfigMap or the git-sync volume", w.name(), rules)
	}
	if metrics == 0 {
		p.add("%s: no rules loaded from %s", w.name(), rules)
	}
}

// checkStateMount checks that the state file is on a writable volume that
// outlives the pod.
func checkStateMount(w workload, c obj, state string, p *problems) {
	m := mountFor(c, path.Dir(state))
	_, kind := w.volume(str(m, "name"))
	if m == nil || get(m, "readOnly") == true || !slices.Contains([]string{"persistentVolumeClaim", "claimTemplate"}, kind) {
		p.add("%s: the state file %s is not on a writable persistent volume (mount %q, %s)", w.name(), state, str(m, "mountPath"), kind)
	}
}
