package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/noxenv/noxenv/store"
)

// The annotations of an entry's manifest.
const (
	annotationID    = "io.github.noxenv.id"
	annotationInfo  = "io.github.noxenv.info"  // the entry's .noxinfo, without its time of adding
	annotationStore = "io.github.noxenv.store" // the store path the entry's files contain, if any
	// annotationSignatures holds the signatures of the id, NAME:BASE64
	// each, separated by spaces.
	annotationSignatures = "io.github.noxenv.signatures"
	// annotationTarSize, on the layer, is the size of the uncompressed
	// tar: what a pull may decompress.
	annotationTarSize = "io.github.noxenv.tar-size"
)

// maxManifestSize bounds what is read of a manifest.
const maxManifestSize = 4 << 20

// Key is what a cache finds an entry by: the HASH part of its id (32
// characters of [0-9a-z], a valid registry tag and file name).
func Key(id string) string {
	hash, _, _, _ := store.ParseID(id)
	return hash
}

// entryManifest is what a cache holds of an entry besides its layer.
type entryManifest struct {
	ID   string
	Info *store.Info
	// Layer is the entry's tree; TarSize its uncompressed size.
	Layer   ocispec.Descriptor
	TarSize int64
	// StorePath is the absolute path of the store the entry was pushed
	// from, when its files contain it: the entry works only there.
	StorePath  string
	Signatures []string
	// config is the manifest's config blob, as parsed.
	config ocispec.Descriptor
}

// imageConfig is the config blob of an entry's manifest: a standard image
// config, so that registries and tools (skopeo) take the manifest as an
// image, labelled with the entry's id; what it runs on is unknown to
// noxenv.
func imageConfig(id string, diffID digest.Digest) []byte {
	cfg := ocispec.Image{
		Platform: ocispec.Platform{Architecture: "unknown", OS: "unknown"},
		Config:   ocispec.ImageConfig{Labels: map[string]string{annotationID: id}},
		RootFS:   ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{diffID}},
	}
	data, _ := json.Marshal(cfg) // plain strings always encode
	return data
}

// marshal returns the OCI image manifest of m, its config being config.
func (m *entryManifest) marshal(config ocispec.Descriptor) []byte {
	info := *m.Info
	// The same entry pushed from any machine gives the same manifest.
	info.Added = time.Time{}
	infoJSON, _ := json.Marshal(&info)
	ann := map[string]string{annotationID: m.ID, annotationInfo: string(infoJSON)}
	if m.StorePath != "" {
		ann[annotationStore] = m.StorePath
	}
	if len(m.Signatures) > 0 {
		ann[annotationSignatures] = strings.Join(m.Signatures, " ")
	}
	layer := m.Layer
	layer.Annotations = map[string]string{annotationTarSize: strconv.FormatInt(m.TarSize, 10)}
	man := ocispec.Manifest{
		Versioned:   specs.Versioned{SchemaVersion: 2},
		MediaType:   ocispec.MediaTypeImageManifest,
		Config:      config,
		Layers:      []ocispec.Descriptor{layer},
		Annotations: ann,
	}
	data, _ := json.Marshal(&man) // strings and numbers always encode
	return data
}

// parseManifest reads the manifest a cache holds under key: untrusted
// input, checked for what a pull relies on before anything is fetched.
func parseManifest(key string, data []byte) (*entryManifest, error) {
	if len(data) > maxManifestSize {
		return nil, errors.New("manifest too large")
	}
	var man ocispec.Manifest
	if err := json.Unmarshal(data, &man); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if man.SchemaVersion != 2 || man.MediaType != ocispec.MediaTypeImageManifest {
		return nil, errors.New("manifest: not an OCI image manifest")
	}
	m := &entryManifest{ID: man.Annotations[annotationID], StorePath: man.Annotations[annotationStore]}
	if Key(m.ID) != key {
		return nil, fmt.Errorf("manifest: entry id %q is not one of key %s", m.ID, key)
	}
	if err := json.Unmarshal([]byte(man.Annotations[annotationInfo]), &m.Info); err != nil || m.Info == nil {
		return nil, fmt.Errorf("manifest: no valid entry metadata (%s)", annotationInfo)
	}
	// Entries are chosen by the name and version of their metadata:
	// they must be the id's.
	if _, name, version, _ := store.ParseID(m.ID); m.Info.Name != name || m.Info.Version != version {
		return nil, fmt.Errorf("manifest: metadata of %s-%s for entry %s", m.Info.Name, m.Info.Version, m.ID)
	}
	if len(man.Layers) != 1 || man.Layers[0].MediaType != LayerMediaType {
		return nil, errors.New("manifest: want one layer of " + LayerMediaType)
	}
	m.Layer, m.config = man.Layers[0], man.Config
	if err := m.Layer.Digest.Validate(); err != nil || m.Layer.Digest.Algorithm() != digest.SHA256 || m.Layer.Size < 0 {
		return nil, fmt.Errorf("manifest: bad layer descriptor")
	}
	size, err := strconv.ParseInt(m.Layer.Annotations[annotationTarSize], 10, 64)
	if err != nil || size < 0 {
		return nil, fmt.Errorf("manifest: bad layer size %s", annotationTarSize)
	}
	m.TarSize = size
	for _, ref := range m.Info.References {
		if _, _, _, ok := store.ParseID(ref); !ok {
			return nil, fmt.Errorf("manifest: reference %q is not an entry id", ref)
		}
	}
	if m.StorePath != "" && !strings.HasPrefix(m.StorePath, "/") {
		return nil, fmt.Errorf("manifest: store path %q is not absolute", m.StorePath)
	}
	m.Signatures = strings.Fields(man.Annotations[annotationSignatures])
	return m, nil
}
