package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"tollgate"
)

// checkStrictJSON is decode's first pass over a request body, before
// encoding/json reads it into a value of type t. It refuses what
// encoding/json lets through: a key given twice in one object (the last
// would win), a key that names a field of t only when case is ignored
// ("ORG_ID" for org_id), and a string that is not text
// (tollgate.CheckText: control characters, invalid UTF-8, lone
// surrogates), except in fields tagged text:"raw" (a list file sent
// inline). Each error names the field by its path (parties.purchaser,
// other_names[2]). Malformed JSON is left to encoding/json, which words
// its errors better.
func checkStrictJSON(body []byte, t reflect.Type) error {
	w := &strictWalker{dec: json.NewDecoder(bytes.NewReader(body))}
	w.dec.UseNumber()
	err := w.value(t, "", false)
	if errors.Is(err, errMalformed) {
		return nil
	}
	return err
}

// errMalformed stops the walk at JSON that encoding/json will refuse.
var errMalformed = errors.New("malformed JSON")

type strictWalker struct{ dec *json.Decoder }

func (w *strictWalker) token() (json.Token, error) {
	tok, err := w.dec.Token()
	if err != nil {
		return nil, errMalformed
	}
	return tok, nil
}

// value walks one JSON value expected to decode into t (nil: anything).
func (w *strictWalker) value(t reflect.Type, path string, raw bool) error {
	tok, err := w.token()
	if err != nil {
		return err
	}
	t = schemaOf(t)
	switch v := tok.(type) {
	case string:
		if raw {
			return nil
		}
		return tollgate.CheckText(fieldName(path), v)
	case json.Delim:
		switch v {
		case '{':
			return w.object(t, path)
		case '[':
			var elem reflect.Type
			if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
				elem = t.Elem()
			}
			for i := 0; w.dec.More(); i++ {
				if err := w.value(elem, path+"["+strconv.Itoa(i)+"]", raw); err != nil {
					return err
				}
			}
			_, err := w.token() // ]
			return err
		}
	}
	return nil
}

// object walks the members of an object after its '{'.
func (w *strictWalker) object(t reflect.Type, path string) error {
	var fields map[string]strictField
	var elem reflect.Type
	if t != nil {
		switch t.Kind() {
		case reflect.Struct:
			fields = structFields(t)
		case reflect.Map:
			elem = t.Elem()
		}
	}
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		at := key
		if path != "" {
			at = path + "." + key
		}
		if seen[key] {
			return tollgate.FieldErrorf(at, "given twice in one object")
		}
		seen[key] = true
		ft, raw := elem, false
		if fields != nil {
			f, ok := fields[key]
			if !ok {
				for name := range fields {
					if strings.EqualFold(name, key) {
						return tollgate.FieldErrorf(at, "unknown field (field names are case-sensitive: %q)", name)
					}
				}
			}
			ft, raw = f.typ, f.raw
		}
		if err := w.value(ft, at, raw); err != nil {
			return err
		}
	}
	_, err := w.token() // }
	return err
}

// fieldName is the name errors give the value at path ("body" for the
// whole body).
func fieldName(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// strictField is what the walk needs of a struct field: its type and
// whether it holds raw text.
type strictField struct {
	typ reflect.Type
	raw bool
}

var structFieldCache sync.Map // reflect.Type → map[string]strictField

// structFields returns the JSON members of struct type t by their exact
// names, as encoding/json finds them (embedded structs' fields promoted).
func structFields(t reflect.Type) map[string]strictField {
	if m, ok := structFieldCache.Load(t); ok {
		return m.(map[string]strictField)
	}
	m := map[string]strictField{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			for k, v := range structFields(ft) {
				if _, ok := m[k]; !ok {
					m[k] = v
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = strictField{typ: f.Type, raw: f.Tag.Get("text") == "raw"}
	}
	structFieldCache.Store(t, m)
	return m
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// schemaOf returns t without pointers, or nil when the walk cannot know
// the members of t's values: an interface, or a type that decodes itself.
func schemaOf(t reflect.Type) reflect.Type {
	if t == nil {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Interface {
		return nil
	}
	if p := reflect.PointerTo(t); p.Implements(jsonUnmarshaler) || p.Implements(textUnmarshaler) {
		return nil
	}
	return t
}
