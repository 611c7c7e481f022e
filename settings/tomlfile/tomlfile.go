// Package tomlfile reads settings files written in TOML for package
// settings.
package tomlfile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/noxenv/noxenv/settings"
)

// Decode is a settings.Decoder for TOML: a syntax error is placed at its
// line and column.
func Decode(file string, data []byte) (map[string]any, error) {
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, &settings.Error{Source: fmt.Sprintf("%s:%d:%d", file, line, col), Err: errors.New(strings.TrimPrefix(de.Error(), "toml: "))}
		}
		return nil, &settings.Error{Source: file, Err: err}
	}
	return raw, nil
}
