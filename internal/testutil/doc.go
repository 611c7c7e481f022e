// Package testutil holds what the tests of several packages share: a
// hand-written JSON decoder's comparison against encoding/json, the
// making of a tree of files, and a directory the test's user cannot read.
// Only tests import it.
package testutil
