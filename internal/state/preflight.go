package state

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// bbolt's file format (version 2), as far as preflight reads it (see
// bbolt's internal/common/page.go and meta.go). Every page starts with a
// 16-byte header: id uint64, flags uint16, count uint16, overflow uint32.
// A meta page then holds magic, version, page size and flags (uint32 each),
// the root bucket (root pgid, sequence), the freelist pgid, the high-water
// mark (pgid), the txid and an FNV-64a checksum of the 56 bytes before it,
// all in the machine's byte order.
const (
	boltMagic    = 0xED0CDAED
	boltVersion  = 2
	pageHeader   = 16
	metaSum      = 56 // bytes covered by the checksum
	freelistFlag = 0x10
	noFreelist   = ^uint64(0)
	maxPageSize  = 1 << 24
)

var ne = binary.NativeEndian

// meta is a decoded header page.
type meta struct {
	valid                     bool
	pageSize                  int
	root, freelist, hwm, txid uint64
}

type metaPair [2]meta

// damaged returns the index of the one damaged header copy, or -1 if both
// or neither are intact (bbolt itself refuses a file with neither).
func (m metaPair) damaged() int {
	switch {
	case m[0].valid && !m[1].valid:
		return 1
	case !m[0].valid && m[1].valid:
		return 0
	}
	return -1
}

// newest is the header bbolt will use: the valid one with the higher txid.
func (m metaPair) newest() (meta, bool) {
	switch {
	case m[0].valid && (!m[1].valid || m[0].txid > m[1].txid):
		return m[0], true
	case m[1].valid:
		return m[1], true
	}
	return meta{}, false
}

func parseMeta(page []byte) meta {
	if len(page) < pageHeader+metaSum+8 {
		return meta{}
	}
	b := page[pageHeader:]
	h := fnv.New64a()
	h.Write(b[:metaSum])
	return meta{
		valid:    ne.Uint32(b[0:]) == boltMagic && ne.Uint32(b[4:]) == boltVersion && ne.Uint64(b[metaSum:]) == h.Sum64(),
		pageSize: int(ne.Uint32(b[8:])),
		root:     ne.Uint64(b[16:]),
		freelist: ne.Uint64(b[32:]),
		hwm:      ne.Uint64(b[40:]),
		txid:     ne.Uint64(b[48:]),
	}
}

// readMetas reads both header pages. The first is at offset 0; the second
// one page further, where the page size comes from the first or, if that
// is damaged, is each size bbolt may have used.
func readMetas(f io.ReaderAt) metaPair {
	var m metaPair
	buf := make([]byte, pageHeader+metaSum+8)
	if _, err := f.ReadAt(buf, 0); err == nil {
		m[0] = parseMeta(buf)
	}
	sizes := []int{m[0].pageSize}
	if !m[0].valid {
		sizes = sizes[:0]
		for s := 1024; s <= maxPageSize; s *= 2 {
			sizes = append(sizes, s)
		}
	}
	for _, s := range sizes {
		if _, err := f.ReadAt(buf, int64(s)); err == nil {
			if m[1] = parseMeta(buf); m[1].valid && m[1].pageSize == s {
				break
			}
			m[1] = meta{}
		}
	}
	return m
}

// preflight checks, before bbolt sees the file, what bbolt trusts without
// checking when it opens one: that its newest header points inside the file
// and at a well-formed freelist. bbolt would fault or panic on either.
// A file with no valid header is left for bolt.Open to refuse.
func preflight(f *os.File) (metaPair, error) {
	metas := readMetas(f)
	m, ok := metas.newest()
	if !ok {
		return metas, nil
	}
	info, err := f.Stat()
	if err != nil {
		return metas, err
	}
	ps := uint64(m.pageSize)
	switch {
	case ps < 1024 || ps > maxPageSize || ps&(ps-1) != 0:
		return metas, fmt.Errorf("its header names a page size of %d bytes", ps)
	case m.hwm > uint64(info.Size())/ps:
		return metas, fmt.Errorf("it is %d bytes long but its data reach byte %d: the file was truncated", info.Size(), m.hwm*ps)
	case m.root < 2 || m.root >= m.hwm:
		return metas, fmt.Errorf("its header points the root at page %d, outside the file's %d pages", m.root, m.hwm)
	case m.freelist == noFreelist:
		// bbolt would write a freelist on open, before any check: refuse.
		return metas, fmt.Errorf("its header has no freelist, which vigil always writes: it was not made by vigil")
	case m.freelist < 2 || m.freelist >= m.hwm:
		return metas, fmt.Errorf("its header points the freelist at page %d, outside the file's %d pages", m.freelist, m.hwm)
	}
	return metas, checkFreelist(f, m)
}

// checkFreelist checks the freelist page m points at: its header, that its
// IDs fit in its pages, and that each is a page of the file.
func checkFreelist(f io.ReaderAt, m meta) error {
	ps := uint64(m.pageSize)
	head := make([]byte, pageHeader+8)
	if _, err := f.ReadAt(head, int64(m.freelist*ps)); err != nil {
		return fmt.Errorf("reading its freelist: %w", err)
	}
	id, flags, count, overflow := ne.Uint64(head), ne.Uint16(head[8:]), uint64(ne.Uint16(head[10:])), uint64(ne.Uint32(head[12:]))
	if id != m.freelist || flags&freelistFlag == 0 || m.freelist+overflow >= m.hwm {
		return fmt.Errorf("its freelist page %d is damaged (id %d, flags %#x, overflow %d)", m.freelist, id, flags, overflow)
	}
	skip := uint64(0)
	if count == 0xFFFF {
		count, skip = ne.Uint64(head[pageHeader:]), 1
	}
	if (count+skip)*8 > (overflow+1)*ps-pageHeader {
		return fmt.Errorf("its freelist page %d claims %d free pages, more than it can hold", m.freelist, count)
	}
	ids := make([]byte, count*8)
	if _, err := f.ReadAt(ids, int64(m.freelist*ps+pageHeader+skip*8)); err != nil {
		return fmt.Errorf("reading its freelist: %w", err)
	}
	for i := 0; i < len(ids); i += 8 {
		if p := ne.Uint64(ids[i:]); p < 2 || p >= m.hwm {
			return fmt.Errorf("its freelist names page %d, outside the file's %d pages", p, m.hwm)
		}
	}
	return nil
}
