package tomlfile

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/noxenv/noxenv/settings"
)

func write(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), settings.FileName)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaults(t *testing.T) {
	s, err := settings.Load(nil, []string{filepath.Join(t.TempDir(), "missing.toml")}, Decode)
	if err != nil {
		t.Fatal(err)
	}
	if s.EvalTimeout != settings.DefaultEvalTimeout || s.LoadEnvrc || s.Substituters != nil || s.TrustedPublicKeys != nil || s.Warnings != nil {
		t.Errorf("defaults: %+v", s)
	}
}

func TestPrecedence(t *testing.T) {
	user := write(t, `eval-timeout = "5s"
substituters = ["file:///user"]
`)
	admin := write(t, `eval-timeout = 90
load-envrc = true
substituters = ["oci://admin/cache"]
trusted-public-keys = ["admin:AAAA"]
`)
	s, err := settings.Load(map[string]string{"NOXENV_TRUSTED_PUBLIC_KEYS": "env:BBBB  env2:CCCC"}, []string{user, admin}, Decode)
	if err != nil {
		t.Fatal(err)
	}
	if s.EvalTimeout != 5*time.Second {
		t.Errorf("eval-timeout: the user's file must win over the administrator's: %v", s.EvalTimeout)
	}
	if !s.LoadEnvrc {
		t.Error("load-envrc: the administrator's file sets it when the user's does not")
	}
	if !slices.Equal(s.Substituters, []string{"file:///user"}) {
		t.Errorf("substituters: %q", s.Substituters)
	}
	if !slices.Equal(s.TrustedPublicKeys, []string{"env:BBBB", "env2:CCCC"}) {
		t.Errorf("trusted-public-keys: the variable wins, split on spaces: %q", s.TrustedPublicKeys)
	}
}

func TestVariables(t *testing.T) {
	file := write(t, `eval-timeout = "5s"
load-envrc = true
substituters = ["file:///x"]
`)
	for _, tc := range []struct {
		env     map[string]string
		timeout time.Duration
		envrc   bool
		subs    []string
	}{
		{map[string]string{"NOXENV_EVAL_TIMEOUT": "250ms"}, 250 * time.Millisecond, true, []string{"file:///x"}},
		{map[string]string{"NOXENV_EVAL_TIMEOUT": "3"}, 3 * time.Second, true, []string{"file:///x"}},
		// An empty variable is unset for a duration or a boolean...
		{map[string]string{"NOXENV_EVAL_TIMEOUT": "", "NOXENV_LOAD_ENVRC": ""}, 5 * time.Second, true, []string{"file:///x"}},
		{map[string]string{"NOXENV_LOAD_ENVRC": "0"}, 5 * time.Second, false, []string{"file:///x"}},
		{map[string]string{"NOXENV_LOAD_ENVRC": "no"}, 5 * time.Second, false, []string{"file:///x"}},
		// ... and the empty list for a list: substitution turned off.
		{map[string]string{"NOXENV_SUBSTITUTERS": ""}, 5 * time.Second, true, []string{}},
	} {
		s, err := settings.Load(tc.env, []string{file}, Decode)
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if s.EvalTimeout != tc.timeout || s.LoadEnvrc != tc.envrc || !slices.Equal(s.Substituters, tc.subs) || s.Substituters == nil {
			t.Errorf("%v: got %v %v %q", tc.env, s.EvalTimeout, s.LoadEnvrc, s.Substituters)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		content string
		want    []string
	}{
		{content: "eval-timeout = \n", want: []string{settings.FileName + ":1:"}},
		{content: "# settings\nload-envrc = \"maybe\"\n", want: []string{settings.FileName + ":2: setting load-envrc", "want true or false"}},
		{content: "eval-timeout = \"soon\"\n", want: []string{"setting eval-timeout", `"soon"`}},
		{content: "eval-timeout = -3\n", want: []string{"setting eval-timeout", "positive"}},
		{content: "eval-timeout = 0 # off?\n", want: []string{settings.FileName + ":1: setting eval-timeout", "positive"}},
		// Beyond the plain form, the file and the setting are named.
		{content: "\"eval-timeout\" = -3\n", want: []string{settings.FileName + ": setting eval-timeout", "positive"}},
		{content: "x = \"\"\"\nload-envrc = 1\n\"\"\"\nload-envrc = 1\n", want: []string{settings.FileName + ": setting load-envrc"}},
		{content: "eval-timeout = \"-3s\"\n", want: []string{"setting eval-timeout"}},
		{content: "substituters = \"oci://x/y\"\n", want: []string{"setting substituters", "array of strings"}},
		{content: "substituters = [1]\n", want: []string{"setting substituters", "array of strings"}},
		{env: map[string]string{"NOXENV_EVAL_TIMEOUT": "0"}, want: []string{"NOXENV_EVAL_TIMEOUT:", "positive"}},
		{env: map[string]string{"NOXENV_LOAD_ENVRC": "maybe"}, want: []string{"NOXENV_LOAD_ENVRC:", `"maybe"`}},
	} {
		_, err := settings.Load(tc.env, []string{write(t, tc.content)}, Decode)
		var se *settings.Error
		if !errors.As(err, &se) {
			t.Errorf("%q %v: want a settings error, got %v", tc.content, tc.env, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q %v: error %q does not say %q", tc.content, tc.env, err, w)
			}
		}
	}
}

func TestUnknownKeyWarns(t *testing.T) {
	f := write(t, "load-envrc = true\nfuture-setting = 3\n")
	s, err := settings.Load(nil, []string{f}, Decode)
	if err != nil {
		t.Fatal(err)
	}
	if !s.LoadEnvrc || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], f+`:2: unknown setting "future-setting"`) {
		t.Errorf("got %+v", s)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add("eval-timeout = \"5s\"\nsubstituters = [\"a\", \"b\"]\n")
	f.Add("load-envrc = true\n[table]\nx = 1\n")
	f.Add("eval-timeout = 9223372036854775807\n")
	f.Fuzz(func(t *testing.T, content string) {
		p := filepath.Join(t.TempDir(), settings.FileName)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := settings.Load(nil, []string{p}, Decode)
		if err != nil {
			return
		}
		if s.EvalTimeout <= 0 {
			t.Errorf("accepted a timeout of %v", s.EvalTimeout)
		}
	})
}
