package store

import (
	"reflect"
	"sync"
	"time"
)

// storedTimes returns v with every time in it as the store keeps times: in
// UTC and truncated to the microsecond, as both backends store them (see
// dialect.encodeTime). A use case audits the object it wrote, whose times
// may come from a clock with nanoseconds or in another zone; the row read
// back has the stored ones. v itself is returned when every time in it is
// stored already (objects read from the store), else a copy.
func storedTimes(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || !mayHoldTime(rv.Type()) || !needsStoring(rv) {
		return v
	}
	return withStoredTimes(rv).Interface()
}

var timeType = reflect.TypeFor[time.Time]()

// storedTime reports whether t is a time as the store keeps it.
func storedTime(t time.Time) bool {
	return t.Location() == time.UTC && t.Nanosecond()%int(time.Microsecond) == 0
}

// holdsTime caches mayHoldTime by type.
var holdsTime sync.Map // reflect.Type → bool

// mayHoldTime reports whether a value of type t can hold a time.Time in a
// field, element or value that encoding/json encodes.
func mayHoldTime(t reflect.Type) bool {
	if b, ok := holdsTime.Load(t); ok {
		return b.(bool)
	}
	holdsTime.Store(t, false) // a recursive type holds a time through its other parts
	b := false
	switch t.Kind() {
	case reflect.Struct:
		if t == timeType {
			b = true
			break
		}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && mayHoldTime(f.Type) {
				b = true
				break
			}
		}
	case reflect.Pointer, reflect.Slice, reflect.Array:
		b = mayHoldTime(t.Elem())
	case reflect.Map:
		b = mayHoldTime(t.Elem())
	case reflect.Interface:
		b = true
	}
	holdsTime.Store(t, b)
	return b
}

// timeFields caches, by struct type, the indexes of the exported fields
// that may hold a time.
var timeFields sync.Map // reflect.Type → []int

// fieldsWithTime returns the indexes of struct type t's exported fields
// that may hold a time.
func fieldsWithTime(t reflect.Type) []int {
	if f, ok := timeFields.Load(t); ok {
		return f.([]int)
	}
	var out []int
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && mayHoldTime(f.Type) {
			out = append(out, i)
		}
	}
	timeFields.Store(t, out)
	return out
}

// needsStoring reports whether v holds a time that is not stored.
func needsStoring(v reflect.Value) bool {
	if !mayHoldTime(v.Type()) {
		return false
	}
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			return !storedTime(v.Interface().(time.Time))
		}
		for _, i := range fieldsWithTime(v.Type()) {
			if needsStoring(v.Field(i)) {
				return true
			}
		}
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && needsStoring(v.Elem())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if needsStoring(v.Index(i)) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if needsStoring(it.Value()) {
				return true
			}
		}
	}
	return false
}

// withStoredTimes returns a copy of v whose times are stored (storedTimes).
func withStoredTimes(v reflect.Value) reflect.Value {
	if !mayHoldTime(v.Type()) {
		return v
	}
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			return reflect.ValueOf(v.Interface().(time.Time).UTC().Truncate(time.Microsecond))
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		for _, i := range fieldsWithTime(v.Type()) {
			c.Field(i).Set(withStoredTimes(v.Field(i)))
		}
		return c
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(withStoredTimes(v.Elem()))
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(withStoredTimes(v.Elem()))
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(withStoredTimes(v.Index(i)))
		}
		return c
	case reflect.Array:
		c := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			c.Index(i).Set(withStoredTimes(v.Index(i)))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), withStoredTimes(it.Value()))
		}
		return c
	}
	return v
}
