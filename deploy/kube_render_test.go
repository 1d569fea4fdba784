package deploy_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// A small kustomize: enough of it to assemble the variants in kubernetes/
// from their files (resources, configMapGenerator, generatorOptions,
// images), so that the checks see what kubectl apply -k would send. A
// kustomization that uses anything else fails to render here rather than
// being checked half; TestKustomizeAgrees compares the result with the real
// kustomize where kubectl is installed.

// kustomization is the part of kustomization.yaml the renderer supports.
type kustomization struct {
	APIVersion         string         `yaml:"apiVersion"`
	Kind               string         `yaml:"kind"`
	Resources          []string       `yaml:"resources"`
	ConfigMapGenerator []cmGenerator  `yaml:"configMapGenerator"`
	GeneratorOptions   genOptions     `yaml:"generatorOptions"`
	Images             []imageSetting `yaml:"images"`
}

type cmGenerator struct {
	Name     string   `yaml:"name"`
	Behavior string   `yaml:"behavior"`
	Files    []string `yaml:"files"`
}

type genOptions struct {
	DisableNameSuffixHash bool `yaml:"disableNameSuffixHash"`
}

type imageSetting struct {
	Name    string `yaml:"name"`
	NewName string `yaml:"newName"`
	NewTag  string `yaml:"newTag"`
}

// variant is a rendered kustomization: its objects in order, with
// generated ConfigMaps holding the files' text.
type variant struct {
	dir     string // slash path under deploy/
	objects []obj
	images  []imageSetting
}

// render assembles the kustomization in dir (a slash path under deploy/).
func render(dir string) (*variant, error) {
	data, err := os.ReadFile(path.Join(dir, "kustomization.yaml"))
	if err != nil {
		return nil, err
	}
	var k kustomization
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // a key this renderer does not know is an error
	if err := dec.Decode(&k); err != nil {
		return nil, fmt.Errorf("%s/kustomization.yaml: %w (extend the test's renderer if kustomize supports it)", dir, err)
	}
	v := &variant{dir: dir, images: k.Images}
	for _, r := range k.Resources {
		if err := v.addResource(path.Join(dir, r)); err != nil {
			return nil, err
		}
	}
	for _, g := range k.ConfigMapGenerator {
		if !k.GeneratorOptions.DisableNameSuffixHash {
			return nil, fmt.Errorf("%s: ConfigMap %s would get a hashed name: set generatorOptions.disableNameSuffixHash, as vigil reloads mounted files in place", dir, g.Name)
		}
		if err := v.generate(dir, g); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// addResource adds a manifest file, or everything a kustomization folder
// renders to.
func (v *variant) addResource(p string) error {
	info, err := os.Stat(p)
	if err != nil {
		return err
	}
	if info.IsDir() {
		sub, err := render(p)
		if err != nil {
			return err
		}
		v.objects = append(v.objects, sub.objects...)
		return nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	docs, err := decodeAll(data)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	for _, d := range docs {
		if v.find(str(d, "kind"), str(d, "metadata", "name")) != nil {
			return fmt.Errorf("%s: %s %s is defined twice", p, str(d, "kind"), str(d, "metadata", "name"))
		}
		v.objects = append(v.objects, d)
	}
	return nil
}

// generate adds, or with behavior replace swaps in, a ConfigMap holding
// the files' text under their base names.
func (v *variant) generate(dir string, g cmGenerator) error {
	data := obj{}
	for _, f := range g.Files {
		b, err := os.ReadFile(path.Join(dir, f))
		if err != nil {
			return err
		}
		data[path.Base(f)] = string(b)
	}
	cm := obj{"apiVersion": "v1", "kind": "ConfigMap", "metadata": obj{"name": g.Name}, "data": data}
	old := v.find("ConfigMap", g.Name)
	switch g.Behavior {
	case "", "create":
		if old != nil {
			return fmt.Errorf("%s: ConfigMap %s already exists; use behavior: replace", dir, g.Name)
		}
		v.objects = append(v.objects, cm)
	case "replace":
		if old == nil {
			return fmt.Errorf("%s: ConfigMap %s to replace does not exist", dir, g.Name)
		}
		old["data"] = data
	default:
		return fmt.Errorf("%s: ConfigMap %s: behavior %q is not supported by the test's renderer", dir, g.Name, g.Behavior)
	}
	return nil
}

// find returns the object of that kind and name, or nil.
func (v *variant) find(kind, name string) obj {
	for _, o := range v.objects {
		if str(o, "kind") == kind && str(o, "metadata", "name") == name {
			return o
		}
	}
	return nil
}

// all returns the objects of a kind.
func (v *variant) all(kind string) []obj {
	var out []obj
	for _, o := range v.objects {
		if str(o, "kind") == kind {
			out = append(out, o)
		}
	}
	return out
}

// copy returns a deep copy, for subtests that break it.
func (v *variant) copy() *variant {
	c := *v
	c.objects = make([]obj, len(v.objects))
	for i, o := range v.objects {
		c.objects[i] = clone(o)
	}
	c.images = slices.Clone(v.images)
	return &c
}

// variants are the kustomizations under kubernetes/ that users apply.
var variants = []string{"kubernetes", "kubernetes/git-sync", "kubernetes/sharded"}

func renderAll(t *testing.T) map[string]*variant {
	t.Helper()
	out := map[string]*variant{}
	for _, dir := range variants {
		v, err := render(dir)
		if err != nil {
			t.Fatalf("render %s: %v", dir, err)
		}
		out[dir] = v
	}
	return out
}

// TestKustomizeAgrees renders each variant with the real kustomize (kubectl
// kustomize) and compares the objects and ConfigMap contents with the
// test's renderer, so that the checks judge what would be applied. It
// needs kubectl, which the project does not install; it skips without it.
func TestKustomizeAgrees(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed; the test's own renderer is used alone")
	}
	for _, dir := range variants {
		t.Run(dir, func(t *testing.T) {
			out, err := exec.Command(kubectl, "kustomize", dir).Output()
			if err != nil {
				t.Fatalf("kubectl kustomize %s: %v", dir, err)
			}
			real, err := decodeAll(out)
			if err != nil {
				t.Fatal(err)
			}
			mine, err := render(dir)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := objectIDs(mine.objects), objectIDs(real); !slices.Equal(got, want) {
				t.Fatalf("test renderer gives %q, kustomize gives %q", got, want)
			}
			for _, cm := range mine.all("ConfigMap") {
				name := str(cm, "metadata", "name")
				if got, want := mapping(cm, "data"), mapping(findIn(real, "ConfigMap", name), "data"); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("ConfigMap %s: test renderer's data differs from kustomize's", name)
				}
			}
		})
	}
}

func objectIDs(objs []obj) []string {
	var ids []string
	for _, o := range objs {
		ids = append(ids, str(o, "kind")+"/"+str(o, "metadata", "name"))
	}
	slices.Sort(ids)
	return ids
}

func findIn(objs []obj, kind, name string) obj {
	for _, o := range objs {
		if str(o, "kind") == kind && str(o, "metadata", "name") == name {
			return o
		}
	}
	return nil
}
