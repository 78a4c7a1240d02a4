package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/term"
)

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// isTerminal reports whether w is an interactive terminal (for progress bars).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// dataDir returns tollgate's data directory: $TOLLGATE_DATA, else
// "tollgate" under the user's data directory (XDG_DATA_HOME or
// ~/.local/share), created on demand with 0700 permissions.
func (c *cli) dataDir() (string, error) {
	dir := c.getenv("TOLLGATE_DATA")
	if dir == "" {
		base := c.getenv("XDG_DATA_HOME")
		if base == "" {
			home := c.getenv("HOME")
			if home == "" {
				h, err := os.UserHomeDir()
				if err != nil {
					return "", err
				}
				home = h
			}
			base = filepath.Join(home, ".local", "share")
		}
		dir = filepath.Join(base, "tollgate")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}
