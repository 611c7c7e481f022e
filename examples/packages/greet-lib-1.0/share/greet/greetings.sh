# greet-lib: the greetings hello knows, as shell functions.
greet_en() { printf 'Hello, %s!\n' "$1"; }
greet_fr() { printf 'Bonjour, %s !\n' "$1"; }
