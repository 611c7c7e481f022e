//go:build !front

package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/sys/unix"
)

func init() {
	scriptCmds["registry"] = cmdRegistry
	scriptCmds["httpserve"] = cmdHTTPServe
	scriptCmds["silentserver"] = cmdSilentServer
	scriptCmds["dockerlogin"] = cmdDockerLogin
	scriptCmds["smallfs"] = cmdSmallFS
	requiredTools["docker-registry"] = "the distribution registry (Debian's docker-registry), to push to and pull from"
	requiredTools["skopeo"] = "skopeo, to read what noxenv pushes to a registry"
	requiredTools["python3"] = "python3, whose http.server serves a cache over HTTP"
}

// freePort returns a loopback address with a port nobody listens on.
func freePort(ts *testscript.TestScript) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	addr := l.Addr().String()
	l.Close()
	return addr
}

// startServer starts cmd, stopped when the script ends, and waits until
// url answers over HTTP.
func startServer(ts *testscript.TestScript, cmd *exec.Cmd, url string) {
	log, err := os.Create(ts.MkAbs(filepath.Base(cmd.Path) + ".log"))
	ts.Check(err)
	cmd.Stdout, cmd.Stderr = log, log
	ts.Check(cmd.Start())
	ts.Defer(func() {
		cmd.Process.Kill()
		cmd.Wait()
		log.Close()
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not answer at %s: %v", cmd.Path, url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cmdRegistry starts a distribution registry on a free loopback port,
// storing under $WORK/registry, and sets REGISTRY to its HOST:PORT:
//
//	registry [USER:PASSWORD]
//
// With USER:PASSWORD it takes only that user, with htpasswd basic auth.
func cmdRegistry(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: registry [USER:PASSWORD]")
	}
	prog, err := exec.LookPath("docker-registry")
	ts.Check(err)
	addr := freePort(ts)
	dir := ts.MkAbs("registry")
	ts.Check(os.MkdirAll(dir, 0o755))
	config := fmt.Sprintf("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n", filepath.Join(dir, "data"), addr)
	if len(args) == 1 {
		user, pass, ok := strings.Cut(args[0], ":")
		if !ok {
			ts.Fatalf("registry: want USER:PASSWORD")
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(pass), bcrypt.MinCost)
		ts.Check(err)
		htpasswd := filepath.Join(dir, "htpasswd")
		ts.Check(os.WriteFile(htpasswd, fmt.Appendf(nil, "%s:%s\n", user, hash), 0o600))
		config += fmt.Sprintf("auth:\n  htpasswd:\n    realm: noxenv-test\n    path: %s\n", htpasswd)
	}
	configPath := filepath.Join(dir, "config.yml")
	ts.Check(os.WriteFile(configPath, []byte(config), 0o644))
	startServer(ts, exec.Command(prog, "serve", configPath), "http://"+addr+"/v2/")
	ts.Setenv("REGISTRY", addr)
}

// cmdHTTPServe serves a directory with python's http.server on a free
// loopback port, and sets HTTPCACHE to its URL:
//
//	httpserve DIR
func cmdHTTPServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: httpserve DIR")
	}
	prog, err := exec.LookPath("python3")
	ts.Check(err)
	addr := freePort(ts)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(prog, "-m", "http.server", "--bind", "127.0.0.1", "--directory", ts.MkAbs(args[0]), port)
	startServer(ts, cmd, "http://"+addr+"/")
	ts.Setenv("HTTPCACHE", "http://"+addr)
}

// cmdSilentServer listens on a free loopback port, accepts connections
// and never answers; it sets SILENT to its HOST:PORT.
func cmdSilentServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: silentserver")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	ts.Defer(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	ts.Setenv("SILENT", l.Addr().String())
}

// cmdDockerLogin writes the credentials of a registry into
// $DOCKER_CONFIG/config.json, as docker login does:
//
//	dockerlogin HOST USER:PASSWORD
func cmdDockerLogin(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: dockerlogin HOST USER:PASSWORD")
	}
	dir := ts.Getenv("DOCKER_CONFIG")
	if dir == "" {
		ts.Fatalf("dockerlogin: DOCKER_CONFIG is not set")
	}
	cfg := map[string]any{"auths": map[string]any{args[0]: map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(args[1]))}}}
	data, err := json.Marshal(cfg)
	ts.Check(err)
	ts.Check(os.MkdirAll(dir, 0o700))
	ts.Check(os.WriteFile(filepath.Join(dir, "config.json"), data, 0o600))
}

// cmdSmallFS mounts a tmpfs of SIZE (as mount's size= takes it) at DIR,
// unmounted when the script ends: a file system that fills up.
//
//	smallfs DIR SIZE
func cmdSmallFS(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: smallfs DIR SIZE")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o755))
	ts.Check(unix.Mount("tmpfs", dir, "tmpfs", 0, "size="+args[1]))
	ts.Defer(func() { unix.Unmount(dir, unix.MNT_DETACH) })
}

// canMountTmpfs says whether this process may mount a tmpfs (it is root,
// with the capability to mount), which [tmpfs] asks.
func canMountTmpfs() bool {
	dir, err := os.MkdirTemp("", "noxenv-tmpfs-")
	if err != nil {
		return false
	}
	defer os.Remove(dir)
	if unix.Mount("tmpfs", dir, "tmpfs", 0, "size=64k") != nil {
		return false
	}
	unix.Unmount(dir, unix.MNT_DETACH)
	return true
}
