package deploy_test

import (
	"slices"
	"strconv"
	"strings"
)

// Accessors for the workloads of a rendered variant.

// workload is a Deployment or StatefulSet.
type workload struct {
	obj obj
	pod obj // spec.template.spec
}

func (w workload) kind() string { return str(w.obj, "kind") }
func (w workload) name() string { return str(w.obj, "kind") + " " + str(w.obj, "metadata", "name") }

func workloads(v *variant) []workload {
	var out []workload
	for _, o := range v.objects {
		if k := str(o, "kind"); k == "Deployment" || k == "StatefulSet" {
			out = append(out, workload{obj: o, pod: mapping(o, "spec", "template", "spec")})
		}
	}
	return out
}

// containers returns the init containers, then the others.
func (w workload) containers() []obj {
	var out []obj
	for _, key := range []string{"initContainers", "containers"} {
		for _, c := range list(w.pod, key) {
			if m, ok := c.(obj); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// container returns the container (not init container) of that name.
func (w workload) container(name string) obj {
	for _, c := range list(w.pod, "containers") {
		if str(c, "name") == name {
			return c.(obj)
		}
	}
	return nil
}

// volume returns the pod volume, or for a StatefulSet the claim template,
// of that name, and which it is: "configMap", "secret", "emptyDir",
// "persistentVolumeClaim" or "claimTemplate".
func (w workload) volume(name string) (obj, string) {
	for _, v := range list(w.pod, "volumes") {
		if str(v, "name") != name {
			continue
		}
		for _, kind := range []string{"configMap", "secret", "emptyDir", "persistentVolumeClaim"} {
			if _, ok := v.(obj)[kind]; ok {
				return v.(obj), kind
			}
		}
		return v.(obj), "other"
	}
	for _, t := range list(w.obj, "spec", "volumeClaimTemplates") {
		if str(t, "metadata", "name") == name {
			return t.(obj), "claimTemplate"
		}
	}
	return nil, ""
}

// mountFor returns the mount of c that holds the container path p: the one
// with the longest mount path at or above it.
func mountFor(c obj, p string) obj {
	var best obj
	for _, m := range list(c, "volumeMounts") {
		mp := str(m, "mountPath")
		if under(p, mp) && (best == nil || len(mp) > len(str(best, "mountPath"))) {
			best = m.(obj)
		}
	}
	return best
}

// mountsByDepth returns c's mounts, outer ones first.
func mountsByDepth(c obj) []obj {
	var ms []obj
	for _, m := range list(c, "volumeMounts") {
		ms = append(ms, m.(obj))
	}
	slices.SortStableFunc(ms, func(a, b obj) int {
		return strings.Count(str(a, "mountPath"), "/") - strings.Count(str(b, "mountPath"), "/")
	})
	return ms
}

// labelsMatch reports whether every key of selector has that value in labels.
func labelsMatch(selector, labels obj) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if str(labels, k) != str(v) {
			return false
		}
	}
	return true
}

// quantity reads a Kubernetes CPU or memory quantity ("100m", "1",
// "256Mi", "1Gi") as a number of cores or bytes; ok is false when it is
// not one.
func quantity(s string) (float64, bool) {
	units := []struct {
		suffix string
		factor float64
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40}, {"m", 1e-3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}}
	factor := 1.0
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, factor = strings.TrimSuffix(s, u.suffix), u.factor
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	return n * factor, err == nil && n >= 0
}
