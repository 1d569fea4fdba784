package deploy_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

const workflowFile = "ci/rules-repo-workflow.yaml"

// checkWorkflow checks the example rules-repository workflow: on pull
// requests it installs vigil, checks the config, runs the rules' tests and
// comments the diff.
func checkWorkflow(doc obj) problems {
	var p problems
	if !hasKey(mapping(doc, "on"), "pull_request") {
		p.add("the workflow does not run on pull_request")
	}
	var runs, uses []string
	checkout := false // of the pull request itself, where vigil.yaml is
	for _, job := range mapping(doc, "jobs") {
		for _, s := range list(job, "steps") {
			runs = append(runs, str(s, "run"))
			uses = append(uses, str(s, "uses"))
			checkout = checkout || strings.HasPrefix(str(s, "uses"), "actions/checkout@") && str(s, "with", "path") == ""
		}
	}
	has := func(re string) bool {
		r := regexp.MustCompile(re)
		return slices.ContainsFunc(runs, r.MatchString)
	}
	if !checkout {
		p.add("no step checks out the pull request into the workspace")
	}
	for _, want := range []struct{ re, what string }{
		{`(?m)^\s*vigil check --config vigil\.yaml\s*$`, "vigil check --config vigil.yaml"},
		{`(?m)^\s*vigil test rules/\s*$`, "vigil test rules/"},
		{`(?m)^\s*(if ! )?vigil diff .*--config vigil\.yaml`, "vigil diff"},
		{`(?m)(curl|go build|go install|docker)`, "an install of vigil"},
	} {
		if !has(want.re) {
			p.add("no step runs %s", want.what)
		}
	}
	if has("(?m)^\\s*echo '```'\\s*\\n\\s*(if ! )?vigil diff") {
		p.add("the diff's Markdown report is inside a code block, so the comment shows it as plain text")
	}
	commented := slices.ContainsFunc(uses, func(u string) bool { return strings.HasPrefix(u, "actions/github-script@") })
	if !commented || str(doc, "permissions", "pull-requests") != "write" {
		p.add("the diff is not posted as a pull request comment (actions/github-script with pull-requests: write)")
	}
	return p
}

func TestWorkflow(t *testing.T) {
	expectNone(t, workflowFile, checkWorkflow(yamlFile(t, workflowFile)[0]))
}

// TestWorkflowChecksCatch breaks copies of the workflow one way each.
func TestWorkflowChecksCatch(t *testing.T) {
	orig := string(readFile(t, workflowFile))
	tests := []struct{ name, old, new, want string }{
		{"no check", "run: vigil check --config vigil.yaml", "run: echo skipped", "vigil check"},
		{"no tests", "run: vigil test rules/", "run: echo skipped", "vigil test rules/"},
		{"push only", "  pull_request:\n", "  push:\n", "pull_request"},
		{"no comment permission", "pull-requests: write", "pull-requests: read", "comment"},
		{"no checkout", "uses: actions/checkout@v4\n\n", "run: ls\n\n", "checks out"},
		{"diff in a code block", "            if ! vigil diff", "            echo '```'\n            if ! vigil diff", "code block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(orig, tt.old) {
				t.Fatalf("the workflow no longer contains %q; update this case", tt.old)
			}
			docs, err := decodeAll([]byte(strings.Replace(orig, tt.old, tt.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			expectProblem(t, checkWorkflow(docs[0]), tt.want)
		})
	}
}
