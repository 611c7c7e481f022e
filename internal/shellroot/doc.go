// Package shellroot records the generation each shell with the hook has
// loaded, so that gc keeps it while the shell runs. A shell's environment,
// changed by the hook's exports, is seen by no other process (its
// /proc/PID/environ is the one it started with), and a shell sitting at
// its prompt runs its next command with the generation it loaded, even
// once the project has another.
//
// A record is a symbolic link in Dir, named after the shell's process id,
// start time (a process id used again by another process does not keep
// the record alive) and host (a home, and the state directory in it, may
// be shared by several machines, whose processes only their own /proc
// shows), to the generation. It is written by the export
// that loads a generation into the shell, its parent process, and
// replaced or removed by the next one that changes it; one that outlives
// its shell is removed by a gc on its host.
package shellroot
