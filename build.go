package tollgate

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Unknown stands for a build fact the toolchain did not record: "go run"
// and "go test" stamp no VCS information; "go build" in a checkout does.
const Unknown = "unknown"

// Build describes the running binary as the Go toolchain recorded it: the
// module version, the VCS revision and commit time, whether the working
// tree had uncommitted changes, and the Go version. Facts that were not
// recorded read Unknown, never a guess.
type Build struct {
	Version   string `json:"version"`
	Revision  string `json:"revision"`
	Time      string `json:"time"`
	Modified  string `json:"modified"` // "true", "false" or "unknown"
	GoVersion string `json:"go_version"`
}

// ReadBuild returns the running binary's Build from debug.ReadBuildInfo.
// version, when not empty, is the version set at link time and replaces
// the module's.
func ReadBuild(version string) Build {
	b := Build{Version: Unknown, Revision: Unknown, Time: Unknown, Modified: Unknown, GoVersion: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if ok {
		if v := info.Main.Version; v != "" {
			b.Version = v
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Revision = s.Value
			case "vcs.time":
				b.Time = s.Value
			case "vcs.modified":
				b.Modified = s.Value
			}
		}
	}
	if version != "" {
		b.Version = version
	}
	return b
}

// String renders b on one line, for "tollgate version" and logs.
func (b Build) String() string {
	return fmt.Sprintf("%s (revision %s, committed %s, modified %s; %s %s/%s)",
		b.Version, b.Revision, b.Time, b.Modified, b.GoVersion, runtime.GOOS, runtime.GOARCH)
}
