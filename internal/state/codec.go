package state

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// bucket returns a top-level bucket. Every bucket exists once the schema is
// migrated, so a missing one means the file was tampered with.
func (tx *Tx) bucket(name []byte) (*bolt.Bucket, error) {
	b := tx.tx.Bucket(name)
	if b == nil {
		return nil, fmt.Errorf("state file %s: bucket %s is missing", tx.s.path, name)
	}
	b.FillPercent = fillPercent
	return b, nil
}

// fillPercent is how full bbolt packs a page when it splits one. bbolt's
// default, 0.5, suits random inserts; nearly all inserts here go to the end
// of a bucket or near it (sequence numbers, times, keys that start with an
// incident ID), and packing pages fuller halves the file.
const fillPercent = 0.9

// getJSON decodes the value at key into v and says whether it was there.
func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("decode %s %q: %w", b.Tx().DB().Path(), key, err)
	}
	return true, nil
}

// putJSON encodes v and stores it at key.
func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	return b.Put(key, data)
}

// jfloat is a float64 that survives JSON: NaN is stored as null and the
// infinities as the strings "+Inf" and "-Inf", which encoding/json refuses.
// Detectors leave Expected NaN where a method has none (a static
// threshold), and that must not make an incident impossible to save.
type jfloat float64

// MarshalJSON implements json.Marshaler.
func (f jfloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	switch {
	case math.IsNaN(x):
		return []byte("null"), nil
	case math.IsInf(x, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(x, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *jfloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "null":
		*f = jfloat(math.NaN())
		return nil
	case `"+Inf"`:
		*f = jfloat(math.Inf(1))
		return nil
	case `"-Inf"`:
		*f = jfloat(math.Inf(-1))
		return nil
	}
	x, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("float %s: %w", b, err)
	}
	*f = jfloat(x)
	return nil
}

// checkRaw rejects a raw JSON field that is not valid JSON, so the error
// names the field instead of surfacing as an encoding failure.
func checkRaw(what string, raw json.RawMessage) error {
	if len(raw) > 0 && !json.Valid(raw) {
		return fmt.Errorf("%s is not valid JSON", what)
	}
	return nil
}
