// Package deploy holds vigil's deployment files: the container image
// (Dockerfile, BUILD.md), a compose file that runs vigil against ClickHouse
// with example data, Kubernetes manifests (kustomize), a systemd unit and an
// example CI workflow for a rules repository.
//
// It has no Go code of its own. Its tests read every file as the tool that
// uses it would and check that the pieces fit: names that refer to each
// other exist, ports and probes line up, vigil's config loads from where the
// manifests mount it, state lands on a writable volume, the image's build
// command is the documented one, and the example data loads in ClickHouse.
package deploy
