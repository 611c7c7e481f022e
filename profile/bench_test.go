package profile

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/noxenv/noxenv/store"
)

// packageFiles are the 250 files of a package shaped like a real one: most
// in directories of its own (lib/NAME, include/NAME, share/doc/NAME), a
// dozen in directories every package shares.
func packageFiles(name string) map[string]string {
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
	return files
}

// benchEntries adds n packages of packageFiles to a store, as store add
// does.
func benchEntries(b *testing.B, n int) (*store.SearchPath, []Member, []*store.Entry) {
	sp := newStore(b)
	var ms []Member
	var es []*store.Entry
	for i := range n {
		e := addEntry(b, sp, fmt.Sprintf("pkg%03d", i), "1.0", packageFiles(fmt.Sprintf("pkg%03d", i)))
		es = append(es, e)
		ms = append(ms, member(e, DefaultPriority))
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
			g, err := build(filepath.Join(gens, fmt.Sprint(i)), ms, es, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			os.RemoveAll(g.Dir)
			b.StartTimer()
		}
	})
	b.Run("again", func(b *testing.B) {
		if _, err := build(gens, ms, es, nil); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := Realize(sp, gens, ms); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDecodeGeneration200 reads the manifest of a generation of 200
// members (57 KB, as a profile add reusing it reads it).
func BenchmarkDecodeGeneration200(b *testing.B) {
	var m Manifest
	for i := range 200 {
		id := fmt.Sprintf("w7n8418bbfxr4xy4dppq3x11v645js%02d-pkg%03d-1.0", i%100, i)
		m.Members = append(m.Members, Member{Name: fmt.Sprintf("pkg%03d", i), Version: "1.0", Request: fmt.Sprintf("pkg%03d", i), ID: id, Priority: DefaultPriority})
		m.Entries = append(m.Entries, ManifestEntry{ID: id, Path: "/dev/shm/pr2/store/" + id, Name: fmt.Sprintf("pkg%03d", i), Version: "1.0", Priority: DefaultPriority})
	}
	j, err := json.Marshal(&m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(j)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := decodeGeneration("/g", j); !ok {
			b.Fatal("not decoded")
		}
	}
}
