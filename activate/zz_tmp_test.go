package activate

import (
	"os"
	"strings"
	"testing"
)

func TestTmpSize(t *testing.T) {
	v, _ := os.ReadFile("/tmp/su/state.txt")
	s, err := decodeState(strings.TrimSpace(string(v)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("old %d new %d", len(strings.TrimSpace(string(v))), len(s.encode()))
}
