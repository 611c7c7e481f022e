// Command noxenv gives projects, batch jobs and ad hoc sessions their own
// packages and environment variables. See the README for an overview.
package main

import "os"

func main() { os.Exit(run(os.Args[1:])) }
