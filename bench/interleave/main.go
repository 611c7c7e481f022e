// Command interleave times commands that start in a few milliseconds,
// taking turns: each round runs every command once, from a different
// first command each round, so that a neighbour's burst on a shared
// machine falls on all of them alike rather than on whichever hyperfine
// happened to be running (bench/startup.sh).
//
//	interleave [-runs N] [-warmup N] [-json FILE] NAME=COMMAND...
//
// A COMMAND is split at spaces and started directly, without a shell
// (as hyperfine -N does), its output discarded. The time of a run is from
// its start to its exit, as its parent sees it. interleave prints, and
// writes to FILE as hyperfine's --export-json does (results: command,
// median, mean, min, max, user and system in seconds), each command's
// figures; a command that fails stops it.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

type result struct {
	Command string  `json:"command"`
	Median  float64 `json:"median"`
	Mean    float64 `json:"mean"`
	Min     float64 `json:"min"`
	Max     float64 `json:"max"`
	User    float64 `json:"user"`
	System  float64 `json:"system"`
}

type command struct {
	name       string
	argv       []string
	times      []float64
	user, syst float64
}

func main() {
	runs := flag.Int("runs", 500, "rounds timed")
	warmup := flag.Int("warmup", 20, "rounds run first, not timed")
	out := flag.String("json", "", "also write the results to this file")
	flag.Parse()
	if err := run(flag.Args(), *runs, *warmup, *out); err != nil {
		fmt.Fprintln(os.Stderr, "interleave:", err)
		os.Exit(1)
	}
}

func run(args []string, runs, warmup int, out string) error {
	if len(args) == 0 {
		return errors.New("no NAME=COMMAND to time")
	}
	if runs < 1 {
		return errors.New("-runs must be at least 1")
	}
	var cmds []*command
	for _, a := range args {
		name, line, ok := strings.Cut(a, "=")
		argv := strings.Fields(line)
		if !ok || name == "" || len(argv) == 0 {
			return fmt.Errorf("%q: want NAME=COMMAND", a)
		}
		path, err := exec.LookPath(argv[0])
		if err != nil {
			return err
		}
		argv[0] = path
		cmds = append(cmds, &command{name: name, argv: argv})
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer devnull.Close()
	attr := &os.ProcAttr{Env: os.Environ(), Files: []*os.File{devnull, devnull, devnull}}
	for round := range warmup + runs {
		for i := range cmds {
			c := cmds[(round+i)%len(cmds)]
			d, ru, err := once(c.argv, attr)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			if round >= warmup {
				c.times = append(c.times, d.Seconds())
				c.user += time.Duration(ru.Utime.Nano()).Seconds()
				c.syst += time.Duration(ru.Stime.Nano()).Seconds()
			}
		}
	}
	var res []result
	for _, c := range cmds {
		slices.Sort(c.times)
		n := float64(len(c.times))
		sum := 0.0
		for _, t := range c.times {
			sum += t
		}
		res = append(res, result{Command: c.name, Median: median(c.times), Mean: sum / n,
			Min: c.times[0], Max: c.times[len(c.times)-1], User: c.user / n, System: c.syst / n})
		fmt.Printf("%-12s median %7.3f ms  mean %7.3f ms  min %7.3f ms  (user %.3f ms, system %.3f ms)\n",
			c.name, 1000*median(c.times), 1000*sum/n, 1000*c.times[0], 1000*c.user/n, 1000*c.syst/n)
	}
	if out == "" {
		return nil
	}
	data, err := json.Marshal(map[string][]result{"results": res})
	if err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// once runs argv and returns how long it took and what it used.
func once(argv []string, attr *os.ProcAttr) (time.Duration, *syscall.Rusage, error) {
	start := time.Now()
	p, err := os.StartProcess(argv[0], argv, attr)
	if err != nil {
		return 0, nil, err
	}
	st, err := p.Wait()
	d := time.Since(start)
	if err != nil {
		return 0, nil, err
	}
	if !st.Success() {
		return 0, nil, fmt.Errorf("%s: %v", strings.Join(argv, " "), st)
	}
	return d, st.SysUsage().(*syscall.Rusage), nil
}

// median is the middle of sorted ts (the mean of the two middle ones).
func median(ts []float64) float64 {
	n := len(ts)
	if n%2 == 1 {
		return ts[n/2]
	}
	return (ts[n/2-1] + ts[n/2]) / 2
}
