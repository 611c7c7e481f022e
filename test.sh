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
# noxenv-oci is cmd/noxenv built with the tag oci (cmd/noxenv/oci.go): both
# builds are vetted and checked; its own tests are those named TestOCI, the
# rest run it as users do, through noxenv.
for tags in "" oci; do
	go vet -tags "$tags" ./...
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -tags "$tags" ./...
done
go test -count=1 -timeout 15m ./...
go test -count=1 -tags oci -run '^TestOCI' ./cmd/noxenv
