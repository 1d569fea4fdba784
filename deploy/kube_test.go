package deploy_test

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The port vigil serves /metrics, /healthz and /readyz on in containers.
const opsPort = 9464

// secretTemplate returns Secret vigil-secrets from kubernetes/secret.example.yaml.
func secretTemplate(t testing.TB) obj {
	t.Helper()
	for _, d := range yamlFile(t, "kubernetes/secret.example.yaml") {
		if str(d, "kind") == "Secret" {
			return d
		}
	}
	t.Fatal("kubernetes/secret.example.yaml holds no Secret")
	return nil
}

// checkVariant runs every check on a rendered variant.
func checkVariant(t *testing.T, v *variant, secret obj) problems {
	t.Helper()
	var p problems
	ws := workloads(v)
	if len(ws) != 1 {
		p.add("%s renders %d workloads, want one Deployment or StatefulSet", v.dir, len(ws))
	}
	if len(v.all("Secret")) > 0 {
		p.add("%s applies a Secret: its placeholder values would overwrite the real one; create vigil-secrets with kubectl", v.dir)
	}
	if !slices.ContainsFunc(v.images, func(i imageSetting) bool { return i.Name == "vigil" && i.NewName != "" }) {
		p.add("%s: kustomization.yaml has no images entry that sets where image vigil comes from", v.dir)
	}
	for _, w := range ws {
		checkRefs(v, w, secret, &p)
		checkPorts(v, w, &p)
		checkSecurity(w, &p)
		checkResources(w, &p)
		checkReplicas(w, &p)
		checkConfig(t, v, w, secret, &p)
	}
	return p
}

// checkRefs checks that every name a workload refers to exists.
func checkRefs(v *variant, w workload, secret obj, p *problems) {
	if !labelsMatch(mapping(w.obj, "spec", "selector", "matchLabels"), mapping(w.obj, "spec", "template", "metadata", "labels")) {
		p.add("%s: spec.selector does not match the pod template's labels", w.name())
	}
	for _, vol := range list(w.pod, "volumes") {
		if cm := str(vol, "configMap", "name"); cm != "" && v.find("ConfigMap", cm) == nil {
			p.add("%s: volume %s refers to ConfigMap %s, which %s does not define", w.name(), str(vol, "name"), cm, v.dir)
		}
		if pvc := str(vol, "persistentVolumeClaim", "claimName"); pvc != "" && v.find("PersistentVolumeClaim", pvc) == nil {
			p.add("%s: volume %s refers to PersistentVolumeClaim %s, which %s does not define", w.name(), str(vol, "name"), pvc, v.dir)
		}
	}
	secretName := str(secret, "metadata", "name")
	for _, c := range w.containers() {
		for _, m := range list(c, "volumeMounts") {
			if vol, _ := w.volume(str(m, "name")); vol == nil {
				p.add("%s: container %s mounts volume %s, which the pod does not have", w.name(), str(c, "name"), str(m, "name"))
			}
		}
		for _, e := range list(c, "env") {
			ref := mapping(e, "valueFrom", "secretKeyRef")
			if ref == nil {
				continue
			}
			if str(ref, "name") != secretName {
				p.add("%s: env %s refers to Secret %s; the template defines %s", w.name(), str(e, "name"), str(ref, "name"), secretName)
			} else if _, ok := mapping(secret, "stringData")[str(ref, "key")]; !ok {
				p.add("%s: env %s refers to key %s, which Secret %s's template lacks", w.name(), str(e, "name"), str(ref, "key"), secretName)
			}
		}
	}
}

// checkPorts checks the ops port: vigil listens on it on every interface,
// it is declared and named, the probes and the Services reach it.
func checkPorts(v *variant, w workload, p *problems) {
	c := w.container("vigil")
	if c == nil {
		p.add("%s has no container named vigil", w.name())
		return
	}
	listen, _ := flagValue(strs(c, "args"), "listen")
	host, port, err := net.SplitHostPort(listen)
	if err != nil || port != strconv.Itoa(opsPort) || (host != "0.0.0.0" && host != "" && host != "::") {
		p.add("%s: vigil needs --listen=0.0.0.0:%d to be reachable from outside the pod, got %q", w.name(), opsPort, listen)
	}
	if !slices.ContainsFunc(list(c, "ports"), func(x any) bool {
		return str(x, "name") == "metrics" && str(x, "containerPort") == strconv.Itoa(opsPort)
	}) {
		p.add("%s: the vigil container declares no port %d named metrics", w.name(), opsPort)
	}
	for probe, want := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz", "startupProbe": "/healthz"} {
		hg := mapping(c, probe, "httpGet")
		if hg == nil {
			if probe != "startupProbe" {
				p.add("%s: the vigil container has no %s.httpGet", w.name(), probe)
			}
			continue
		}
		if str(hg, "path") != want || (str(hg, "port") != "metrics" && str(hg, "port") != strconv.Itoa(opsPort)) {
			p.add("%s: %s gets %s on port %s, want %s on port metrics", w.name(), probe, str(hg, "path"), str(hg, "port"), want)
		}
	}
	checkServices(v, w, p)
}

// checkServices checks the Services that select the workload's pods.
func checkServices(v *variant, w workload, p *problems) {
	labels := mapping(w.obj, "spec", "template", "metadata", "labels")
	scraped := false
	for _, s := range v.all("Service") {
		name := "Service " + str(s, "metadata", "name")
		if !labelsMatch(mapping(s, "spec", "selector"), labels) {
			p.add("%s selects no pod of %s", name, w.name())
			continue
		}
		if !slices.ContainsFunc(list(s, "spec", "ports"), func(x any) bool {
			return str(x, "name") == "metrics" && (str(x, "targetPort") == "metrics" || str(x, "targetPort") == strconv.Itoa(opsPort))
		}) {
			p.add("%s has no port named metrics targeting the container port metrics", name)
		}
		ann := mapping(s, "metadata", "annotations")
		if str(ann, "prometheus.io/scrape") == "true" {
			scraped = true
			if t := str(s, "spec", "type"); t != "" && t != "ClusterIP" {
				p.add("%s is of type %s; keep /metrics inside the cluster (ClusterIP)", name, t)
			}
			if str(ann, "prometheus.io/port") != strconv.Itoa(opsPort) || str(ann, "prometheus.io/path") != "/metrics" {
				p.add("%s: scrape annotations point at port %s path %s, want %d and /metrics", name, str(ann, "prometheus.io/port"), str(ann, "prometheus.io/path"), opsPort)
			}
		}
	}
	if !scraped {
		p.add("no Service with prometheus.io/scrape: \"true\" selects %s", w.name())
	}
	if w.kind() == "StatefulSet" {
		gov := v.find("Service", str(w.obj, "spec", "serviceName"))
		if gov == nil || str(gov, "spec", "clusterIP") != "None" {
			p.add("%s: serviceName %q is not a headless Service of %s", w.name(), str(w.obj, "spec", "serviceName"), v.dir)
		}
	}
}

// checkSecurity checks the pod and every container run unprivileged.
func checkSecurity(w workload, p *problems) {
	if get(w.pod, "securityContext", "runAsNonRoot") != true {
		p.add("%s: the pod's securityContext.runAsNonRoot is not true", w.name())
	}
	if get(w.pod, "automountServiceAccountToken") != false {
		p.add("%s: automountServiceAccountToken is not false; vigil needs no Kubernetes API token", w.name())
	}
	for _, c := range w.containers() {
		sc := mapping(c, "securityContext")
		if get(sc, "allowPrivilegeEscalation") != false || get(sc, "readOnlyRootFilesystem") != true || !slices.Contains(strs(sc, "capabilities", "drop"), "ALL") {
			p.add("%s: container %s needs securityContext allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities.drop: [ALL]", w.name(), str(c, "name"))
		}
	}
}

// checkResources checks every container has CPU and memory requests and
// limits, each request within its limit.
func checkResources(w workload, p *problems) {
	for _, c := range w.containers() {
		for _, r := range []string{"cpu", "memory"} {
			req, okReq := quantity(str(c, "resources", "requests", r))
			lim, okLim := quantity(str(c, "resources", "limits", r))
			switch {
			case !okReq || !okLim:
				p.add("%s: container %s needs resources.requests.%s and resources.limits.%s", w.name(), str(c, "name"), r, r)
			case req > lim:
				p.add("%s: container %s requests more %s than its limit", w.name(), str(c, "name"), r)
			}
		}
	}
}

// checkReplicas checks the number of vigils per state file: one for a
// Deployment (replaced, never rolled), and one per shard for a StatefulSet.
func checkReplicas(w workload, p *problems) {
	replicas := str(w.obj, "spec", "replicas")
	shard, sharded := flagValue(strs(w.container("vigil"), "args"), "shard")
	switch w.kind() {
	case "Deployment":
		if replicas != "1" || str(w.obj, "spec", "strategy", "type") != "Recreate" {
			p.add("%s: want replicas: 1 and strategy Recreate (one vigil per state file), got %s and %q", w.name(), replicas, str(w.obj, "spec", "strategy", "type"))
		}
		if sharded {
			p.add("%s: --shard belongs on the StatefulSet variant", w.name())
		}
	case "StatefulSet":
		if want := "auto/" + replicas; shard != want {
			p.add("%s: --shard is %q with %s replicas, want %q", w.name(), shard, replicas, want)
		}
	}
}

func TestKubernetesManifests(t *testing.T) {
	secret := secretTemplate(t)
	for dir, v := range renderAll(t) {
		t.Run(dir, func(t *testing.T) {
			expectNone(t, dir, checkVariant(t, v, secret))
		})
	}
}

// TestKubernetesChecksCatch breaks copies of the rendered variants, one
// way each, and expects the checks to say so.
func TestKubernetesChecksCatch(t *testing.T) {
	secret := secretTemplate(t)
	all := renderAll(t)
	tests := []struct {
		name    string
		variant string
		breakIt func(t *testing.T, v *variant)
		want    string
	}{
		{"configmap renamed", "kubernetes", func(t *testing.T, v *variant) {
			set(t, v.find("ConfigMap", "vigil-rules"), "rules", "metadata", "name")
		}, "refers to ConfigMap vigil-rules"},
		{"secret key missing", "kubernetes", func(t *testing.T, v *variant) {
			set(t, container(v), obj{"secretKeyRef": obj{"name": "vigil-secrets", "key": "DSN"}}, "env", 2, "valueFrom")
		}, "refers to key DSN"},
		{"config var not set", "kubernetes", func(t *testing.T, v *variant) {
			set(t, container(v), list(container(v), "env")[:2], "env")
		}, "uses ${CLICKHOUSE_DSN}"},
		{"port renamed", "kubernetes", func(t *testing.T, v *variant) {
			set(t, container(v), "http", "ports", 0, "name")
		}, "no port 9464 named metrics"},
		{"listening on loopback", "kubernetes", func(t *testing.T, v *variant) {
			args := strs(container(v), "args")
			set(t, container(v), "--listen=127.0.0.1:9464", "args", slices.Index(args, "--listen=0.0.0.0:9464"))
		}, "--listen=0.0.0.0:9464"},
		{"readiness on healthz", "kubernetes", func(t *testing.T, v *variant) {
			set(t, container(v), "/healthz", "readinessProbe", "httpGet", "path")
		}, "readinessProbe gets /healthz"},
		{"service targets another port", "kubernetes", func(t *testing.T, v *variant) {
			set(t, v.find("Service", "vigil"), "http", "spec", "ports", 0, "targetPort")
		}, "no port named metrics targeting"},
		{"service selects nothing", "kubernetes", func(t *testing.T, v *variant) {
			set(t, v.find("Service", "vigil"), obj{"app": "other"}, "spec", "selector")
		}, "selects no pod"},
		{"config mounted elsewhere", "kubernetes", func(t *testing.T, v *variant) {
			set(t, container(v), "/config", "volumeMounts", 0, "mountPath")
		}, "is not in any mounted volume"},
		{"rules not mounted", "kubernetes", func(t *testing.T, v *variant) {
			vms := list(container(v), "volumeMounts")
			set(t, container(v), append(slices.Clone(vms[:1]), vms[2:]...), "volumeMounts")
		}, "does not load as mounted"},
		{"state on emptyDir", "kubernetes", func(t *testing.T, v *variant) {
			set(t, workloads(v)[0].pod, obj{"name": "state", "emptyDir": obj{}}, "volumes", 2)
		}, "not on a writable persistent volume"},
		{"state read-only", "kubernetes", func(t *testing.T, v *variant) {
			set(t, container(v), true, "volumeMounts", 2, "readOnly")
		}, "not on a writable persistent volume"},
		{"root filesystem writable", "kubernetes", func(t *testing.T, v *variant) {
			set(t, container(v), false, "securityContext", "readOnlyRootFilesystem")
		}, "readOnlyRootFilesystem: true"},
		{"pod may run as root", "kubernetes", func(t *testing.T, v *variant) {
			remove(t, workloads(v)[0].pod, "securityContext", "runAsNonRoot")
		}, "runAsNonRoot is not true"},
		{"no memory limit", "kubernetes", func(t *testing.T, v *variant) {
			remove(t, container(v), "resources", "limits", "memory")
		}, "resources.limits.memory"},
		{"request above limit", "kubernetes", func(t *testing.T, v *variant) {
			set(t, container(v), "2", "resources", "requests", "cpu")
		}, "requests more cpu than its limit"},
		{"two replicas", "kubernetes", func(t *testing.T, v *variant) {
			set(t, workloads(v)[0].obj, 2, "spec", "replicas")
		}, "want replicas: 1"},
		{"sidecar without limits", "kubernetes/git-sync", func(t *testing.T, v *variant) {
			remove(t, workloads(v)[0].pod, "containers", 1, "resources")
		}, "container git-sync needs resources"},
		{"git link moved", "kubernetes/git-sync", func(t *testing.T, v *variant) {
			args := strs(workloads(v)[0].pod, "containers", 1, "args")
			set(t, workloads(v)[0].pod, "--link=head", "containers", 1, "args", slices.Index(args, "--link=current"))
			set(t, workloads(v)[0].pod, "--link=head", "initContainers", 0, "args", slices.Index(args, "--link=current"))
		}, "does not load as mounted"},
		{"shards disagree with replicas", "kubernetes/sharded", func(t *testing.T, v *variant) {
			set(t, workloads(v)[0].obj, 4, "spec", "replicas")
		}, `want "auto/4"`},
		{"no headless service", "kubernetes/sharded", func(t *testing.T, v *variant) {
			set(t, workloads(v)[0].obj, "vigil", "spec", "serviceName")
		}, "is not a headless Service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := all[tt.variant].copy()
			tt.breakIt(t, v)
			expectProblem(t, checkVariant(t, v, secret), tt.want)
		})
	}
}

// container returns the vigil container of a variant's workload.
func container(v *variant) obj { return workloads(v)[0].container("vigil") }

// TestGitSyncVariantMatchesDefault keeps the git-sync Deployment's vigil
// container the same as the default one, but for the rules mount.
func TestGitSyncVariantMatchesDefault(t *testing.T) {
	all := renderAll(t)
	def := clone(container(all["kubernetes"]))
	gs := clone(container(all["kubernetes/git-sync"]))
	dropMount := func(c obj, name string) {
		var keep []any
		for _, m := range list(c, "volumeMounts") {
			if str(m, "name") != name {
				keep = append(keep, m)
			}
		}
		c["volumeMounts"] = keep
	}
	dropMount(def, "rules")
	dropMount(gs, "git")
	if a, b := fmt.Sprint(def), fmt.Sprint(gs); a != b {
		t.Errorf("vigil containers differ beyond the rules mount:\ndefault:  %s\ngit-sync: %s", a, b)
	}
	if got, want := mapping(workloads(all["kubernetes/git-sync"])[0].pod, "securityContext"), mapping(workloads(all["kubernetes"])[0].pod, "securityContext"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("pod securityContext: git-sync %v, default %v", got, want)
	}
}

// TestKubernetesRulesMatchCompose keeps the example rules of the manifests
// and of the compose file the same: both watch the same example tables.
func TestKubernetesRulesMatchCompose(t *testing.T) {
	rules, err := render("kubernetes/rules")
	if err != nil {
		t.Fatal(err)
	}
	data := mapping(rules.find("ConfigMap", "vigil-rules"), "data")
	var names []string
	for key, text := range data {
		names = append(names, key)
		if compose := string(readFile(t, "compose/vigil/rules/"+key)); compose != str(text) {
			t.Errorf("kubernetes/rules/%s differs from compose/vigil/rules/%s", key, key)
		}
	}
	slices.Sort(names)
	want := composeRuleFiles(t)
	if !slices.Equal(names, want) {
		t.Errorf("vigil-rules holds %v, compose/vigil/rules holds %v", names, want)
	}
	if s := strings.Join(names, ","); !strings.Contains(s, "orders.yaml") {
		t.Errorf("vigil-rules holds %v, want the example orders.yaml among them", names)
	}
}
