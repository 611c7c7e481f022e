//go:build !front

package main

import (
	"github.com/noxenv/noxenv/cmd/noxenv/internal/front"
	"github.com/noxenv/noxenv/settings"
)

// app is what every command shares (front.App), with the commands' own
// methods on it.
type app struct{ *front.App }

func newApp(decodeSettings settings.Decoder) *app {
	return &app{front.NewApp(decodeSettings)}
}
