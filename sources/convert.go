package sources

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"time"
)

// KeyTime turns the bucket key that generated SQL returns into the bucket's
// start: for calendar buckets the key is the local date as days since
// 1970-01-01, otherwise it is Unix seconds.
func KeyTime(key int64, q Query) time.Time {
	if Days(q.Granularity) > 0 {
		return DayStart(key, q.Loc())
	}
	return time.Unix(key, 0).In(q.Loc())
}

// BucketTime reads the bucket column of a raw SQL row: a timestamp, taken as
// the instant it is, or an integer of Unix seconds. Pointers are followed.
// A DATE column is read with DateBucket instead.
func BucketTime(v any, q Query) (time.Time, error) {
	v = deref(v)
	switch t := v.(type) {
	case nil:
		return time.Time{}, fmt.Errorf("rule %q: bucket is NULL", q.Rule)
	case time.Time:
		return t, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return time.Unix(rv.Int(), 0).In(q.Loc()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() > math.MaxInt64 {
			return time.Time{}, fmt.Errorf("rule %q: bucket %d is out of range", q.Rule, rv.Uint())
		}
		return time.Unix(int64(rv.Uint()), 0).In(q.Loc()), nil
	}
	return time.Time{}, fmt.Errorf("rule %q: bucket must be a timestamp, a date or Unix seconds, got %T", q.Rule, v)
}

// DateBucket reads the bucket column of a raw SQL row whose type is a date:
// drivers hand dates over as a time at midnight of some zone, and the date
// means that day at local midnight in q's zone.
func DateBucket(v any, q Query) (time.Time, error) {
	t, ok := deref(v).(time.Time)
	if !ok {
		return time.Time{}, fmt.Errorf("rule %q: date bucket must be a date, got %T", q.Rule, deref(v))
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, q.Loc()), nil
}

// Number reads a value column as float64: any integer, float, big integer or
// decimal (a type with a Float64 method). NULL (nil, or a nil pointer) is
// NaN: the bucket has no value. Pointers are followed.
func Number(v any) (float64, error) {
	v = deref(v)
	switch n := v.(type) {
	case nil:
		return math.NaN(), nil
	case *big.Int:
		f, _ := new(big.Float).SetInt(n).Float64()
		return f, nil
	case big.Int:
		f, _ := new(big.Float).SetInt(&n).Float64()
		return f, nil
	case interface{ Float64() float64 }:
		return n.Float64(), nil
	case interface{ Float64() (float64, bool) }:
		f, _ := n.Float64()
		return f, nil
	case bool:
		if n {
			return 1, nil
		}
		return 0, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	}
	return 0, fmt.Errorf("value must be a number, got %T", v)
}

// deref follows pointers; a nil pointer becomes nil.
func deref(v any) any {
	for {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Pointer {
			return v
		}
		if rv.IsNil() {
			return nil
		}
		if _, ok := v.(*big.Int); ok {
			return v
		}
		v = rv.Elem().Interface()
	}
}
