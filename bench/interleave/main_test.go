package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.json")
	if err := run([]string{"t=true", "s=sleep 0.01"}, 5, 1, out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string][]result
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	res := r["results"]
	if len(res) != 2 || res[0].Command != "t" || res[1].Command != "s" {
		t.Fatalf("results %+v", res)
	}
	if res[1].Min < 0.01 || res[1].Median < res[1].Min || res[1].Max < res[1].Median {
		t.Errorf("sleep 0.01: %+v", res[1])
	}
	if res[0].Median >= res[1].Median {
		t.Errorf("true took as long as sleep 0.01: %+v", res)
	}
}

func TestRunFails(t *testing.T) {
	for _, args := range [][]string{{"f=false"}, {"x"}, {"n=no-such-command-anywhere"}, {}} {
		if err := run(args, 2, 0, ""); err == nil {
			t.Errorf("%s: no error", strings.Join(args, " "))
		}
	}
}

func TestMedian(t *testing.T) {
	if m := median([]float64{1, 2, 3}); m != 2 {
		t.Errorf("odd: %v", m)
	}
	if m := median([]float64{1, 2, 3, 5}); m != 2.5 {
		t.Errorf("even: %v", m)
	}
}
