package api

import (
	"reflect"
	"strings"

	"tollgate"
)

// bodyRefFields returns the JSON paths of the fields of a request body
// type that name another object by id: every string (or list of strings)
// field whose name ends in _id or _ids, and every member of an
// application's parties. Nested objects are followed ("parties.purchaser",
// "units.serials" is not an id).
func bodyRefFields(body any) []string {
	if body == nil {
		return nil
	}
	var out []string
	var walk func(t reflect.Type, prefix string, parties bool)
	walk = func(t reflect.Type, prefix string, parties bool) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous && name == "" {
				walk(f.Type, prefix, parties)
				continue
			}
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			switch {
			case ft.Kind() == reflect.String && (parties || strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_ids")):
				out = append(out, prefix+name)
			case ft.Kind() == reflect.Struct && ft.PkgPath() != "time":
				walk(ft, prefix+name+".", ft == reflect.TypeFor[tollgate.ApplicationParties]())
			}
		}
	}
	walk(reflect.TypeOf(body), "", false)
	return out
}
