package api

import (
	"encoding/json"
	"path"
	"reflect"
	"strings"
	"time"
	"unicode"

	"tollgate"
)

// enums lists the allowed values of the domain's string enumerations, so
// the OpenAPI schemas say what a client may send.
var enums = map[reflect.Type][]string{
	reflect.TypeFor[tollgate.OrgKind]():         {"exporter", "agency", "lab", "broker", "auditor"},
	reflect.TypeFor[tollgate.PartyRole]():       {"purchaser", "intermediate_consignee", "ultimate_consignee", "end_user"},
	reflect.TypeFor[tollgate.EntityType]():      {"", "person", "organization", "vessel", "aircraft"},
	reflect.TypeFor[tollgate.ScreeningStatus](): {"unscreened", "clear", "pending_review", "blocked"},
	reflect.TypeFor[tollgate.HitDecisionKind](): {"false_positive", "true_match"},
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	rawJSONType = reflect.TypeFor[json.RawMessage]()
)

// schemaGen turns Go types into JSON Schemas (the OpenAPI 3.1 dialect) by
// reflection over their encoding/json tags. Named struct types become
// components referenced by $ref.
type schemaGen struct {
	schemas map[string]any
	names   map[reflect.Type]string
}

func newSchemaGen() *schemaGen {
	return &schemaGen{schemas: map[string]any{}, names: map[reflect.Type]string{}}
}

// schema returns the schema of v's type.
func (g *schemaGen) schema(v any) map[string]any {
	return g.typeSchema(reflect.TypeOf(v))
}

func (g *schemaGen) typeSchema(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawJSONType:
		return map[string]any{}
	}
	if vals, ok := enums[t]; ok {
		return map[string]any{"type": "string", "enum": vals}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.typeSchema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.typeSchema(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return g.structSchema(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + g.component(t)}
	}
	return map[string]any{}
}

// component registers t's schema under a unique name and returns the name.
func (g *schemaGen) component(t reflect.Type) string {
	if name, ok := g.names[t]; ok {
		return name
	}
	name := schemaName(t)
	if _, taken := g.schemas[name]; taken {
		name = exportedName(path.Base(t.PkgPath())) + name
	}
	g.names[t] = name
	g.schemas[name] = map[string]any{} // placeholder: breaks recursion
	g.schemas[name] = g.structSchema(t)
	return name
}

// structSchema lists the JSON properties of a struct; fields without
// omitempty or omitzero are required.
func (g *schemaGen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for f := range t.Fields() {
			tag := f.Tag.Get("json")
			if tag == "-" || (!f.IsExported() && !f.Anonymous) {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = g.typeSchema(f.Type)
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// schemaName names a component after its Go type; an instance of a generic
// type is named after its argument, Page[tollgate.Party] as PartyPage.
func schemaName(t reflect.Type) string {
	name := t.Name()
	base, arg, generic := strings.Cut(name, "[")
	if !generic {
		return name
	}
	arg = strings.TrimSuffix(arg, "]")
	if i := strings.LastIndexAny(arg, "./"); i >= 0 {
		arg = arg[i+1:]
	}
	return arg + base
}

// exportedName capitalizes a package name for use as a prefix.
func exportedName(s string) string {
	if s == "" || s == "." {
		return ""
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
