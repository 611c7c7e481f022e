// Package testutil holds what the tests of several packages share: a
// hand-written JSON decoder's comparison against encoding/json, and the
// making of a tree of files. Only tests import it.
package testutil
