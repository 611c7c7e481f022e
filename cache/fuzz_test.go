package cache

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/noxenv/noxenv/store"
)

// parseManifest takes any bytes a cache sends without panicking, and what
// it accepts marshals back to a manifest it accepts with the same entry.
func FuzzParseManifest(f *testing.F) {
	id := "0123456789abcdfghijklmnpqrsvwxyz-tool-1.0"
	good := (&entryManifest{
		ID:      id,
		Info:    &store.Info{Name: "tool", Version: "1.0", References: []string{"0123456789abcdfghijklmnpqrsvwxy0-lib-2"}, Env: []store.EnvSetting{}},
		Layer:   ocispec.Descriptor{MediaType: LayerMediaType, Digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Size: 10},
		TarSize: 2048, StorePath: "/group/store", Signatures: []string{"k:abc"},
	}).marshal(ocispec.Descriptor{MediaType: ocispec.MediaTypeImageConfig, Digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Size: 2})
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","annotations":{"io.github.noxenv.id":"x"}}`))
	f.Add([]byte(strings.Replace(string(good), `"2048"`, `"-1"`, 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseManifest(Key(id), data)
		if err != nil {
			return
		}
		if Key(m.ID) != Key(id) || m.Info == nil || m.TarSize < 0 || m.Layer.Size < 0 {
			t.Fatalf("accepted %+v", m)
		}
		again, err := parseManifest(Key(id), m.marshal(m.config))
		if err != nil || again.ID != m.ID || again.TarSize != m.TarSize || again.Layer.Digest != m.Layer.Digest {
			t.Fatalf("round trip: %+v, %v", again, err)
		}
	})
}

// listingKeys finds the manifests a directory listing links to, however
// the page is written, and nothing that is not a manifest's key.
func FuzzListingKeys(f *testing.F) {
	f.Add(`<a href="0123456789abcdfghijklmnpqrsvwxyz.json">x</a>`)
	f.Add(`<A HREF='/c/entries/0123456789abcdfghijklmnpqrsvwxyz.json'>`)
	f.Add(`<a href=0123456789abcdfghijklmnpqrsvwxyz.json>`)
	f.Add(`<a href="%30123456789abcdfghijklmnpqrsvwxyz.json">`)
	f.Add(`<a href="../0123456789abcdfghijklmnpqrsvwxyz.json.tmp">`)
	f.Fuzz(func(t *testing.T, page string) {
		seen := map[string]bool{}
		for _, k := range listingKeys(page) {
			if !validKey(k) || seen[k] {
				t.Fatalf("key %q from %q", k, page)
			}
			seen[k] = true
		}
	})
}

func TestListingKeys(t *testing.T) {
	page := `<ul><li><a href="0123456789abcdfghijklmnpqrsvwxyz.json">0123456789abcdfghijklmnpqrsvwxyz.json</a>
<li><a href=".tmp-123">.tmp-123</a><li><a href='/x/entries/zyxwvsrqpnmlkjihgfdcba9876543210.json'>
<li><a href="0123456789abcdfghijklmnpqrsvwxyz.json">again</a><li><a href="short.json">`
	got := listingKeys(page)
	want := []string{"0123456789abcdfghijklmnpqrsvwxyz", "zyxwvsrqpnmlkjihgfdcba9876543210"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("listingKeys = %q, want %q", got, want)
	}
}

// Keys read back as they were written; a key never parses from a string
// that does not hold one.
func FuzzParseKey(f *testing.F) {
	sec, pub, _ := GenerateKey("team-1")
	f.Add(sec.String())
	f.Add(pub.String())
	f.Add("name:")
	f.Add(":AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		if k, err := ParsePublicKey(s); err == nil && k.String() != s {
			t.Fatalf("public key %q reads back as %q", s, k)
		}
		if k, err := ParseSecretKey(s); err == nil && k.String() != strings.TrimSpace(s) {
			t.Fatalf("secret key %q reads back as %q", s, k)
		}
	})
}

// A signature verifies with its key's public key only, and for its id only.
func TestSignatures(t *testing.T) {
	sec, pub, err := GenerateKey("team-1")
	if err != nil {
		t.Fatal(err)
	}
	_, other, _ := GenerateKey("team-1")
	id := "0123456789abcdfghijklmnpqrsvwxyz-tool-1.0"
	sig := sec.sign(id)
	if !strings.HasPrefix(sig, "team-1:") {
		t.Fatalf("signature %q", sig)
	}
	if got := signedBy(id, []string{"junk", sig}, []PublicKey{other, pub}); got != "team-1" {
		t.Fatalf("signedBy = %q", got)
	}
	if got := signedBy(id, []string{sig}, []PublicKey{other}); got != "" {
		t.Fatalf("another key of the same name verified: %q", got)
	}
	if got := signedBy("0123456789abcdfghijklmnpqrsvwxyz-tool-1.1", []string{sig}, []PublicKey{pub}); got != "" {
		t.Fatalf("a signature verified for another id")
	}
	again, err := ParseSecretKey(sec.String() + "\n")
	if err != nil || again.Public().String() != pub.String() {
		t.Fatalf("secret key read back: %v, public %s", err, again.Public())
	}
	if _, _, err := GenerateKey("a:b"); err == nil {
		t.Fatal("a key name with ':' was taken")
	}

	// A secret key file whose second half (its public key) is not its
	// seed's, damaged or edited, would sign with signatures that no one
	// can verify, the push saying all went well: it is refused.
	raw := slices.Clone(sec.key)
	raw[40] ^= 1
	damaged := sec.Name + ":" + base64.StdEncoding.EncodeToString(raw)
	if k, err := ParseSecretKey(damaged); err == nil {
		t.Fatalf("a secret key with another public half was taken, signing %s", k.sign(id))
	}
}
