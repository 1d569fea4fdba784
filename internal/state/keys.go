package state

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// sep separates the parts of a composite key. Rule names, series keys and
// incident IDs may not contain it (checkName), so a prefix scan on
// "rule\x00" never reaches another rule's keys.
const sep = 0

// timeKey encodes t so that byte order is time order: Unix nanoseconds with
// the sign bit flipped, big-endian. It covers the years 1678 to 2262.
func timeKey(t time.Time) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.UnixNano())^(1<<63))
	return b[:]
}

// keyTime decodes timeKey.
func keyTime(b []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)^(1<<63))).UTC()
}

// join builds a composite key from its parts, separated by sep.
func join(parts ...[]byte) []byte {
	return bytes.Join(parts, []byte{sep})
}

// prefix is the key prefix that every composite key starting with part has.
func prefix(part string) []byte {
	return append([]byte(part), sep)
}

// checkName rejects a rule name, series key or ID that cannot be part of a
// key: empty where required, or containing the separator byte.
func checkName(what, v string, required bool) error {
	if v == "" && required {
		return fmt.Errorf("%s is empty", what)
	}
	if strings.IndexByte(v, sep) >= 0 {
		return fmt.Errorf("%s %q contains a NUL byte", what, v)
	}
	return nil
}

// checkTime rejects a time that timeKey cannot encode.
func checkTime(what string, t time.Time) error {
	if t.Year() < 1678 || t.Year() > 2261 {
		return fmt.Errorf("%s %s is outside the years 1678-2261", what, t.Format(time.RFC3339))
	}
	return nil
}
