package experiments

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Validator is implemented by configs that check their values' domains (a positive number of
// epochs, a probability in [0, 1)) before a run starts.
type Validator interface {
	Validate() error
}

// Field describes one settable field of a config: its key (the field's json tag), its type as
// a user writes it, its current value and the help text of its `help` tag.
type Field struct {
	Key   string // the json tag
	Type  string // the type as --set wants it, e.g. "number"
	Value string // the current value in the form Set reads
	Help  string // the help tag
}

// Fields lists the settable fields of the config cfg, a pointer to a struct, in declaration
// order. A field is settable when it is exported and has a json tag other than "-".
func Fields(cfg any) []Field {
	v := structValue("Fields", cfg)
	var fs []Field
	forFields(v, func(key string, sf reflect.StructField, fv reflect.Value) {
		fs = append(fs, Field{Key: key, Type: typeName(sf.Type), Value: formatValue(fv), Help: sf.Tag.Get("help")})
	})
	return fs
}

// Set assigns the value written as text to the field of cfg whose json tag is key. Numbers
// are parsed with strconv (so 1e-3 and 0x10 work), booleans as strconv.ParseBool does,
// durations as time.ParseDuration, and lists as comma-separated items. The error names the key
// and the expected type; an unknown key's error lists the known ones. cfg is unchanged on
// error.
func Set(cfg any, key, value string) error {
	v := structValue("Set", cfg)
	var target reflect.Value
	var keys []string
	forFields(v, func(k string, _ reflect.StructField, fv reflect.Value) {
		keys = append(keys, k)
		if k == key {
			target = fv
		}
	})
	if !target.IsValid() {
		return fmt.Errorf("%w %q (known keys: %s)", ErrUnknownKey, key, strings.Join(keys, ", "))
	}
	nv, err := parseValue(target.Type(), value)
	if err != nil {
		return fmt.Errorf("%w: %s=%q: want %s: %v", ErrBadValue, key, value, typeName(target.Type()), err)
	}
	target.Set(nv)
	return nil
}

// ParseAssignment splits "key=value" at the first '='.
func ParseAssignment(s string) (key, value string, err error) {
	key, value, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return "", "", fmt.Errorf("%w: %q is not of the form key=value", ErrBadValue, s)
	}
	return key, value, nil
}

// HasKey reports whether cfg has a settable field named key.
func HasKey(cfg any, key string) bool {
	found := false
	forFields(structValue("HasKey", cfg), func(k string, _ reflect.StructField, _ reflect.Value) {
		found = found || k == key
	})
	return found
}

// DecodeConfig fills cfg, a pointer to a config struct holding the defaults, from the JSON
// document data (for example a config.json written by an earlier run). Keys absent from data
// keep their defaults; an unknown key is an error, so a misspelt key is never ignored.
func DecodeConfig(cfg any, data []byte) error {
	structValue("DecodeConfig", cfg)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		return fmt.Errorf("%w: %v", ErrBadValue, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: data after the config's JSON object (at byte %d)", ErrBadValue, dec.InputOffset())
	}
	return nil
}

func structValue(op string, cfg any) reflect.Value {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("experiments: %s: config of type %T is not a pointer to a struct", op, cfg))
	}
	return v.Elem()
}

func forFields(v reflect.Value, f func(key string, sf reflect.StructField, fv reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && tag == "" {
			// An embedded struct's fields are the config's own, as encoding/json has it.
			forFields(v.Field(i), f)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		key, _, _ := strings.Cut(tag, ",")
		if key == "" || key == "-" {
			continue
		}
		f(key, sf, v.Field(i))
	}
}

var durationType = reflect.TypeFor[time.Duration]()

func typeName(t reflect.Type) string {
	if t == durationType {
		return "duration"
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "non-negative integer"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Slice:
		return "comma-separated list of " + typeName(t.Elem())
	}
	return t.String()
}

func parseValue(t reflect.Type, s string) (reflect.Value, error) {
	s = strings.TrimSpace(s)
	v := reflect.New(t).Elem()
	if t == durationType {
		d, err := time.ParseDuration(s)
		if err != nil {
			return v, err
		}
		v.SetInt(int64(d))
		return v, nil
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, t.Bits())
		if err != nil {
			return v, numErr(err)
		}
		v.SetFloat(f)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 0, t.Bits())
		if err != nil {
			return v, numErr(err)
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 0, t.Bits())
		if err != nil {
			return v, numErr(err)
		}
		v.SetUint(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return v, numErr(err)
		}
		v.SetBool(b)
	case reflect.String:
		v.SetString(s)
	case reflect.Slice:
		if s == "" {
			v.Set(reflect.MakeSlice(t, 0, 0))
			return v, nil
		}
		items := strings.Split(s, ",")
		sl := reflect.MakeSlice(t, len(items), len(items))
		for i, it := range items {
			e, err := parseValue(t.Elem(), it)
			if err != nil {
				return v, fmt.Errorf("item %d: %v", i+1, err)
			}
			sl.Index(i).Set(e)
		}
		v.Set(sl)
	default:
		panic(fmt.Sprintf("experiments: config field of unsupported type %s", t))
	}
	return v, nil
}

// numErr strips strconv's "strconv.ParseFloat: parsing "x": " prefix, which repeats what the
// caller's message already says.
func numErr(err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return ne.Err
	}
	return err
}

func formatValue(v reflect.Value) string {
	if v.Type() == durationType {
		return time.Duration(v.Int()).String()
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, v.Type().Bits())
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = formatValue(v.Index(i))
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v.Interface())
}
