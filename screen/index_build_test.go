package screen

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"

	"tollgate"
)

// TestBuildSameOnAnyCPUs builds one index on one CPU and on four and
// checks that they are the same, byte for byte once saved.
func TestBuildSameOnAnyCPUs(t *testing.T) {
	var es []tollgate.Entity
	for i := range 3000 { // more than one chunk of work per worker
		for _, e := range testEntities() {
			e.SourceID = fmt.Sprintf("%s-%d", e.SourceID, i)
			es = append(es, e)
		}
	}
	build := func(procs int) *Index {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		return NewIndex(es, DefaultConfig())
	}
	one, four := build(1), build(4)
	if !reflect.DeepEqual(one.vocab, four.vocab) || !reflect.DeepEqual(one.names, four.names) || !reflect.DeepEqual(one.nameToks, four.nameToks) {
		t.Fatal("the index built on four CPUs differs from the one built on one")
	}
	if a, b := mustSave(t, one, ""), mustSave(t, four, ""); string(a) != string(b) {
		t.Fatal("the saved indexes differ")
	}
}
