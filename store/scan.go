package store

// Reference scanning, as Nix does it: an entry refers to every entry of the
// search path whose id's HASH part appears in its file contents or symlink
// targets.

// refScanner finds the known hashes in a stream of bytes, including hashes
// split between two writes.
type refScanner struct {
	known map[string]string // HASH → entry id
	found map[string]bool   // entry ids
	tail  []byte            // the last hashLen-1 bytes seen
	joint []byte
}

var base32Table = func() (t [256]bool) {
	for i := 0; i < len(base32Alphabet); i++ {
		t[base32Alphabet[i]] = true
	}
	return t
}()

func newRefScanner(known map[string]string) *refScanner {
	return &refScanner{known: known, found: map[string]bool{}}
}

// active reports whether there is anything to look for.
func (s *refScanner) active() bool { return s != nil && len(s.known) > 0 }

// reset starts a new stream (another file).
func (s *refScanner) reset() { s.tail = s.tail[:0] }

// Write scans p as the continuation of the stream.
func (s *refScanner) Write(p []byte) {
	if len(s.tail) > 0 {
		// Hashes straddling the previous write and this one.
		s.joint = append(append(s.joint[:0], s.tail...), p[:min(len(p), hashLen-1)]...)
		s.scan(s.joint)
	}
	s.scan(p)
	if len(p) >= hashLen-1 {
		s.tail = append(s.tail[:0], p[len(p)-(hashLen-1):]...)
	} else {
		s.tail = append(s.tail, p...)
		if len(s.tail) > hashLen-1 {
			s.tail = s.tail[len(s.tail)-(hashLen-1):]
		}
	}
}

// scan looks for hashes wholly inside b, skipping ahead past any byte that
// cannot be part of one.
func (s *refScanner) scan(b []byte) {
	for i := 0; i+hashLen <= len(b); {
		j := hashLen - 1
		for ; j >= 0; j-- {
			if !base32Table[b[i+j]] {
				break
			}
		}
		if j >= 0 {
			i += j + 1
			continue
		}
		if id, ok := s.known[string(b[i:i+hashLen])]; ok {
			s.found[id] = true
		}
		i++
	}
}

// scanString scans a whole string on its own (a symlink target).
func (s *refScanner) scanString(str string) {
	s.reset()
	s.Write([]byte(str))
	s.reset()
}
