package activate

import (
	"os"
	"path/filepath"

	"github.com/noxenv/noxenv/activate/prompt"
	"github.com/noxenv/noxenv/profile"
	"github.com/noxenv/noxenv/store"
)

// projectProfile is the profile whose current generation is the
// project's.
func projectProfile(stateDir, file string) *profile.Profile {
	return &profile.Profile{Path: filepath.Join(prompt.ProjectDir(stateDir, file), "profile")}
}

// registerProject records gen as the current generation of the project
// of file, a gc root for as long as file exists.
func registerProject(stateDir, file string, gen *profile.Generation) error {
	dir := prompt.ProjectDir(stateDir, file)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rec := filepath.Join(dir, "noxprofile")
	if cur, err := os.ReadFile(rec); err != nil || string(cur) != file {
		if err := store.WriteFileAtomic(rec, []byte(file), 0o644); err != nil {
			return err
		}
	}
	return projectProfile(stateDir, file).Switch(gen)
}

// recordProject makes the generation of the packages the evaluation of
// file ended with the project's current one. A project that uses none no
// longer keeps those it used before: its profile, when it has one, is
// switched to the empty generation.
func (e *evaluator) recordProject(file string) error {
	if gen := e.generation(); gen != nil {
		return registerProject(e.cfg.StateDir, file, gen)
	}
	p := projectProfile(e.cfg.StateDir, file)
	if exists, err := p.Exists(); err != nil || !exists || e.cfg.Stores == nil {
		return err
	}
	cur, err := p.Current()
	if err != nil || len(cur.Members) == 0 {
		return err
	}
	empty, err := e.realize(nil)
	if err != nil {
		return err
	}
	return p.Switch(empty)
}

// realize returns the generation of members, built under the state
// directory's generations.
func (e *evaluator) realize(members []profile.Member) (*profile.Generation, error) {
	return profile.Realize(e.cfg.Stores, profile.GenerationsDir(e.cfg.StateDir), members)
}
