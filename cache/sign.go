package cache

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Keys are ed25519 keys written as Nix writes its own: NAME:BASE64, the
// secret key's 64 bytes (seed and public key), the public key's 32. A
// signature is NAME:BASE64 of the key's signature of the entry's id, which
// the entry's content and metadata are verified against on every pull.

// SecretKey signs what is pushed.
type SecretKey struct {
	Name string
	key  ed25519.PrivateKey
}

// PublicKey checks signatures.
type PublicKey struct {
	Name string
	key  ed25519.PublicKey
}

// GenerateKey makes a new key pair named name.
func GenerateKey(name string) (SecretKey, PublicKey, error) {
	if err := checkKeyName(name); err != nil {
		return SecretKey{}, PublicKey{}, err
	}
	pub, sec, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return SecretKey{}, PublicKey{}, err
	}
	return SecretKey{name, sec}, PublicKey{name, pub}, nil
}

func checkKeyName(name string) error {
	if name == "" || strings.ContainsAny(name, ": \t\n") {
		return fmt.Errorf("key name %q: want a name without spaces or ':'", name)
	}
	return nil
}

// String is the key as a file holds it: NAME:BASE64.
func (k SecretKey) String() string { return k.Name + ":" + base64.StdEncoding.EncodeToString(k.key) }

// String is the key as trusted-public-keys lists it: NAME:BASE64.
func (k PublicKey) String() string { return k.Name + ":" + base64.StdEncoding.EncodeToString(k.key) }

// ParseSecretKey reads a secret key NAME:BASE64 (surrounding space is
// ignored, as a file's final newline).
func ParseSecretKey(s string) (SecretKey, error) {
	name, raw, err := parseKey(strings.TrimSpace(s), ed25519.PrivateKeySize)
	if err != nil {
		return SecretKey{}, fmt.Errorf("secret key: %w", err)
	}
	// Its second half is the public key of its seed, the first: a key
	// damaged there would make signatures that no one can verify.
	k := ed25519.NewKeyFromSeed(raw[:ed25519.SeedSize])
	if !bytes.Equal(k, raw) {
		return SecretKey{}, errors.New("secret key: damaged: its public half is not its seed's")
	}
	return SecretKey{name, k}, nil
}

// ParsePublicKey reads a public key NAME:BASE64.
func ParsePublicKey(s string) (PublicKey, error) {
	name, raw, err := parseKey(s, ed25519.PublicKeySize)
	if err != nil {
		return PublicKey{}, fmt.Errorf("public key %q: %w", s, err)
	}
	return PublicKey{name, ed25519.PublicKey(raw)}, nil
}

func parseKey(s string, size int) (string, []byte, error) {
	name, b64, ok := strings.Cut(s, ":")
	if !ok {
		return "", nil, fmt.Errorf("want NAME:BASE64")
	}
	if err := checkKeyName(name); err != nil {
		return "", nil, err
	}
	// Strict: one key has one spelling.
	raw, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil || len(raw) != size {
		return "", nil, fmt.Errorf("want %d bytes in base64 after the name", size)
	}
	return name, raw, nil
}

// signedMessage is the message a signature signs: the entry's id, which its
// content, name, version, references and env settings determine.
func signedMessage(id string) []byte { return []byte("noxenv-entry-1;" + id) }

// sign returns k's signature of the entry id, NAME:BASE64.
func (k SecretKey) sign(id string) string {
	return k.Name + ":" + base64.StdEncoding.EncodeToString(ed25519.Sign(k.key, signedMessage(id)))
}

// signedBy returns the name of the first key of trusted that made one of
// sigs for the entry id, or "" when none did.
func signedBy(id string, sigs []string, trusted []PublicKey) string {
	for _, s := range sigs {
		name, b64, ok := strings.Cut(s, ":")
		if !ok {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			continue
		}
		for _, k := range trusted {
			if k.Name == name && ed25519.Verify(k.key, signedMessage(id), sig) {
				return name
			}
		}
	}
	return ""
}

// Public returns the public key of k.
func (k SecretKey) Public() PublicKey {
	return PublicKey{k.Name, k.key.Public().(ed25519.PublicKey)}
}
