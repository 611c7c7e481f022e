//go:build !front

package front

// handsOver says this program is noxenv-prompt, which hands what it
// leaves to noxenv at the cost of a process (see leave).
const handsOver = false
