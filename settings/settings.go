package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FileName is the name of a settings file in a configuration directory's
// noxenv/ folder.
const FileName = "config.toml"

// DefaultEvalTimeout bounds a .noxprofile evaluation when no setting says
// otherwise.
const DefaultEvalTimeout = time.Minute

// Settings are noxenv's settings, each already resolved from the
// environment, the files and the defaults.
type Settings struct {
	// EvalTimeout bounds an evaluation (eval-timeout,
	// NOXENV_EVAL_TIMEOUT).
	EvalTimeout time.Duration
	// LoadEnvrc makes a directory's .envrc its project file where it has no
	// .noxprofile (load-envrc, NOXENV_LOAD_ENVRC).
	LoadEnvrc bool
	// Substituters are cache URLs, tried in order (substituters,
	// NOXENV_SUBSTITUTERS).
	Substituters []string
	// TrustedPublicKeys are NAME:BASE64 keys whose signatures are trusted
	// (trusted-public-keys, NOXENV_TRUSTED_PUBLIC_KEYS).
	TrustedPublicKeys []string
	// Warnings are what was read but not used: unknown keys, by file.
	Warnings []string
}

// setting is one key: its variable, and how a value of either source is
// put into a Settings.
type setting struct {
	key, variable string
	// list settings take an empty variable as the empty list.
	list bool
	// fromFile takes a decoded TOML value; fromVar the variable's text.
	fromFile func(s *Settings, v any) error
	fromVar  func(s *Settings, v string) error
}

// known lists every setting. A variable that is set but empty counts as
// unset for a duration or a boolean, and as the empty list for a list (so
// NOXENV_SUBSTITUTERS= turns substitution off).
var known = []setting{
	{
		key: "eval-timeout", variable: "NOXENV_EVAL_TIMEOUT",
		fromFile: func(s *Settings, v any) error {
			switch v := v.(type) {
			case string:
				return setDuration(&s.EvalTimeout, v)
			case int64:
				return setSeconds(&s.EvalTimeout, v)
			}
			return errors.New(`want a duration such as "30s" or "2m"`)
		},
		fromVar: func(s *Settings, v string) error { return setDuration(&s.EvalTimeout, v) },
	},
	{
		key: "load-envrc", variable: "NOXENV_LOAD_ENVRC",
		fromFile: func(s *Settings, v any) error {
			b, ok := v.(bool)
			if !ok {
				return errors.New("want true or false")
			}
			s.LoadEnvrc = b
			return nil
		},
		fromVar: func(s *Settings, v string) error { return setBool(&s.LoadEnvrc, v) },
	},
	{
		key: "substituters", variable: "NOXENV_SUBSTITUTERS", list: true,
		fromFile: func(s *Settings, v any) error { return setList(&s.Substituters, v) },
		fromVar:  func(s *Settings, v string) error { s.Substituters = strings.Fields(v); return nil },
	},
	{
		key: "trusted-public-keys", variable: "NOXENV_TRUSTED_PUBLIC_KEYS", list: true,
		fromFile: func(s *Settings, v any) error { return setList(&s.TrustedPublicKeys, v) },
		fromVar:  func(s *Settings, v string) error { s.TrustedPublicKeys = strings.Fields(v); return nil },
	},
}

// Decoder decodes the content data of the settings file file into its
// keys and values, or returns an *Error placing what is wrong in the file.
// Package tomlfile's Decode reads TOML; the decoder is given rather than
// imported so that a program that reads no file (noxenv's front, at the
// prompt) does not link a TOML parser.
type Decoder func(file string, data []byte) (map[string]any, error)

// Load resolves every setting from env (the process environment, as a
// map) and the files, highest precedence first, read with decode.
func Load(env map[string]string, files []string, decode Decoder) (*Settings, error) {
	s := &Settings{EvalTimeout: DefaultEvalTimeout}
	decided := map[string]bool{}
	for _, k := range known {
		v, ok := env[k.variable]
		if !ok || (v == "" && !k.list) {
			continue
		}
		if err := k.fromVar(s, v); err != nil {
			return nil, &Error{Source: k.variable, Err: err}
		}
		decided[k.key] = true
	}
	for _, f := range files {
		if err := s.readFile(f, decided, decode); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// readFile applies the settings of file that no earlier source decided.
func (s *Settings) readFile(file string, decided map[string]bool, decode Decoder) error {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	raw, err := decode(file, data)
	if err != nil {
		return err
	}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		i := slices.IndexFunc(known, func(k setting) bool { return k.key == key })
		if i < 0 {
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s: unknown setting %q", at(file, data, key), key))
			continue
		}
		if decided[key] {
			continue
		}
		if err := known[i].fromFile(s, raw[key]); err != nil {
			return &Error{Source: at(file, data, key), Key: key, Err: err}
		}
		decided[key] = true
	}
	return nil
}

// at names file, with the line that sets key where keyLine finds it.
func at(file string, data []byte, key string) string {
	if n := keyLine(data, key); n > 0 {
		return fmt.Sprintf("%s:%d", file, n)
	}
	return file
}

// Error is a setting that could not be read: Source is the variable, or
// the file (with its line for a syntax error).
type Error struct {
	Source string
	Key    string
	Err    error
}

func (e *Error) Error() string {
	if e.Key != "" {
		return fmt.Sprintf("%s: setting %s: %v", e.Source, e.Key, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Source, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Hint names the reference for settings.
func (e *Error) Hint() string {
	return "settings are described in the README's Settings section"
}

// setDuration reads a Go duration ("90s", "2m") or a number of seconds.
func setDuration(d *time.Duration, v string) error {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return setSeconds(d, n)
	}
	p, err := time.ParseDuration(v)
	if err != nil || p <= 0 {
		return fmt.Errorf(`invalid duration %q: want a duration such as "30s" or "2m"`, v)
	}
	*d = p
	return nil
}

func setSeconds(d *time.Duration, n int64) error {
	if n <= 0 || n > int64(time.Duration(1<<62)/time.Second) {
		return fmt.Errorf("invalid duration %d: want a positive number of seconds", n)
	}
	*d = time.Duration(n) * time.Second
	return nil
}

func setBool(b *bool, v string) error {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		*b = true
	case "0", "false", "no", "off":
		*b = false
	default:
		return fmt.Errorf("invalid value %q: want 1 or 0 (true or false)", v)
	}
	return nil
}

func setList(l *[]string, v any) error {
	items, ok := v.([]any)
	if !ok {
		return errors.New("want an array of strings")
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return errors.New("want an array of strings")
		}
		out = append(out, s)
	}
	*l = out
	return nil
}
