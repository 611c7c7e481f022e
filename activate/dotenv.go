package activate

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/joho/godotenv"
)

// dotenvRef finds the variables a dotenv file may expand, as godotenv
// reads them.
var dotenvRef = regexp.MustCompile(`\$\{?([A-Z0-9_]+)`)

// parseDotenv reads the KEY=VALUE lines of a dotenv file (godotenv's
// syntax). A $VAR or ${VAR} that the file has not set before expands to
// lookup's value (the script's exported variable), as direnv has it;
// godotenv alone knows only the file's own keys. Each such variable is
// given to godotenv as a first line of its own, whose value is a token
// of control characters (godotenv cannot quote every value) replaced in
// the result, and is left out of the result unless the file sets it too.
func parseDotenv(data []byte, lookup func(string) (string, bool)) (map[string]string, error) {
	own, err := godotenv.UnmarshalBytes(data)
	if err != nil || bytes.IndexByte(data, '$') < 0 {
		return own, err
	}
	var pre strings.Builder
	var tokens []string
	seen := map[string]bool{}
	for _, m := range dotenvRef.FindAllSubmatch(data, -1) {
		name := string(m[1])
		if seen[name] {
			continue
		}
		seen[name] = true
		if v, ok := lookup(name); ok {
			token := fmt.Sprintf("\x01%d\x02", len(tokens)/2)
			tokens = append(tokens, token, v)
			pre.WriteString(name + "=" + token + "\n")
		}
	}
	if len(tokens) == 0 {
		return own, nil
	}
	all, err := godotenv.UnmarshalBytes(append([]byte(pre.String()), data...))
	if err != nil {
		return nil, err
	}
	values := strings.NewReplacer(tokens...)
	for k := range own {
		own[k] = values.Replace(all[k])
	}
	return own, nil
}
