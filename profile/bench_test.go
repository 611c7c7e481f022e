package profile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/noxenv/noxenv/store"
)

// benchEntries makes n entries shaped like real packages, 250 files each:
// most in directories of their own (lib/NAME, include/NAME,
// share/doc/NAME), a dozen in directories every package shares.
func benchEntries(b *testing.B, n int) (*store.SearchPath, []Member, []*store.Entry) {
	sd := b.TempDir()
	var ms []Member
	var es []*store.Entry
	for i := range n {
		name := fmt.Sprintf("pkg%03d", i)
		files := map[string]string{}
		for j := range 4 {
			files[fmt.Sprintf("bin/%s-%d", name, j)] = name
			files[fmt.Sprintf("share/man/man1/%s-%d.1", name, j)] = name
		}
		files["lib/lib"+name+".so"] = name
		files["lib/lib"+name+".a"] = name
		files["lib/pkgconfig/"+name+".pc"] = name
		files["share/info/"+name+".info"] = name
		for j := range 238 {
			dir := [...]string{"lib/" + name + "/sub%d", "include/" + name, "share/doc/" + name}[j%3]
			if j%3 == 0 {
				dir = fmt.Sprintf(dir, j%7)
			}
			files[fmt.Sprintf("%s/f%d", dir, j)] = name
		}
		e := testEntry(b, sd, name, "1.0", files)
		es = append(es, e)
		ms = append(ms, member(e, DefaultPriority))
	}
	sp, err := store.Open([]string{sd}, "")
	if err != nil {
		b.Fatal(err)
	}
	return sp, sortedMembers(ms), es
}

// BenchmarkRealize200 realizes 200 entries of 250 files, 50,000 in all:
// "new" builds the generation, "again" finds it built.
func BenchmarkRealize200(b *testing.B) {
	sp, ms, es := benchEntries(b, 200)
	gens := b.TempDir()
	b.Run("new", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			g, err := build(filepath.Join(gens, fmt.Sprint(i)), ms, es)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			os.RemoveAll(g.Dir)
			b.StartTimer()
		}
	})
	b.Run("again", func(b *testing.B) {
		if _, err := build(gens, ms, es); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := Realize(sp, gens, ms); err != nil {
				b.Fatal(err)
			}
		}
	})
}
