// Package settings reads noxenv's settings: config.toml files and the
// NOXENV_* variable each setting has.
//
// The user's file ($XDG_CONFIG_HOME/noxenv/config.toml) is read first,
// then each administrator's file (DIR/noxenv/config.toml for DIR in
// $XDG_CONFIG_DIRS), in that order: the first file that sets a setting
// decides it, and a variable set in the environment wins over every file.
// A missing file is no error; a file that is not TOML, or a setting of the
// wrong type, is an error naming the file, its line (for a wrong value,
// where the file keeps to DecodePlain's form) and the setting. A
// key this noxenv does not know is reported as a warning, not an error, so
// that an administrator's file written for a newer noxenv does not break
// an older one.
//
// Nothing is read until Load is called: commands that need no setting
// (the prompt's cached path among them) never open a file.
package settings
