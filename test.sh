#!/usr/bin/env bash
# The whole test suite: formatting, vet, staticcheck, unit, fuzz seed corpora and the
# end-to-end scripts with real bash, zsh and fish.
set -euo pipefail
cd "$(dirname "$0")"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt: not formatted: $unformatted" >&2
	exit 1
fi
# noxenv-oci is cmd/noxenv built with the tag oci (cmd/noxenv/oci.go), and
# noxenv-prompt, the front the hook runs, the same with the tag front
# (front.go): every build is vetted and checked; noxenv-oci's own tests are
# those named TestOCI, and the end-to-end scripts run noxenv as installed,
# with noxenv-prompt and noxenv-oci beside it.
for tags in "" oci front; do
	go vet -tags "$tags" ./...
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -tags "$tags" ./...
done
go test -count=1 -timeout 15m ./...
go test -count=1 -tags oci -run '^TestOCI' ./cmd/noxenv
