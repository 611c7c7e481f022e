#!/usr/bin/env bash
# Build noxenv from this checkout and install it to $PREFIX/bin
# (default: ~/.local/bin), with noxenv-prompt, the small program the hook
# runs at the prompt, and noxenv-oci, which runs binary caches and images, in
# $PREFIX/libexec/noxenv.
set -euo pipefail
cd "$(dirname "$0")"
prefix="${PREFIX:-$HOME/.local}"
mkdir -p "$prefix/bin" "$prefix/libexec/noxenv"
rev=$(git describe --always --dirty 2>/dev/null || echo dev)
# A static binary starts faster: the hook and exec are on every prompt and job.
CGO_ENABLED=0 go build -ldflags "-s -w -X main.version=$rev" -o "$prefix/bin/noxenv.tmp" ./cmd/noxenv
# noxenv-prompt is the front (cmd/noxenv/front.go): the prompt's export of a
# cached project by package cmd/noxenv/internal/front alone, without the
# interpreter, stores and command tree; half noxenv's size, it starts faster.
CGO_ENABLED=0 go build -tags front -ldflags "-s -w" -o "$prefix/libexec/noxenv/noxenv-prompt.tmp" ./cmd/noxenv
# noxenv-oci is the same commands with the network and image code and the
# xz decoder, which would cost every start of noxenv ~2 ms (cmd/noxenv/oci.go).
CGO_ENABLED=0 go build -tags oci -ldflags "-s -w -X main.version=$rev" -o "$prefix/libexec/noxenv/noxenv-oci.tmp" ./cmd/noxenv
mv -f "$prefix/libexec/noxenv/noxenv-oci.tmp" "$prefix/libexec/noxenv/noxenv-oci"
mv -f "$prefix/libexec/noxenv/noxenv-prompt.tmp" "$prefix/libexec/noxenv/noxenv-prompt"
mv -f "$prefix/bin/noxenv.tmp" "$prefix/bin/noxenv"
echo "installed $prefix/bin/noxenv ($("$prefix/bin/noxenv" version))" >&2
case ":$PATH:" in
*":$prefix/bin:"*) ;;
*) echo "add $prefix/bin to your PATH" >&2 ;;
esac
cat >&2 <<MSG
to switch environments on cd, add the hook to your shell:
  bash: echo 'eval "\$(noxenv hook bash)"' >> ~/.bashrc
  zsh:  echo 'eval "\$(noxenv hook zsh)"' >> ~/.zshrc
  fish: echo 'noxenv hook fish | source' >> ~/.config/fish/config.fish
  tcsh: echo 'eval \`noxenv hook tcsh\`' >> ~/.tcshrc
  elvish: echo 'eval (noxenv hook elvish | slurp)' >> ~/.config/elvish/rc.elv
MSG
