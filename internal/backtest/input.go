// Package backtest judges past data with a detector the way vigil would have
// judged it live, and scores the verdicts against labelled anomalies.
//
// A CSV of timestamps and values becomes a regular series (ReadCSV); Run
// judges every row from the rows before it only and returns one verdict per
// input row, in input order; WriteCSV writes them. ReadLabels and Score
// compare verdicts with labelled anomaly windows. Replay drives an
// evaluation function over a range of past times, for rules run through
// the engine. The package does no I/O beyond the readers and writers it is
// given, and reads no clock.
package backtest

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"vigil/detector"
)

// Options tell ReadCSV how to read a file. The zero value reads columns
// "timestamp" and "value" and infers the granularity.
type Options struct {
	// Granularity is the bucket length; 0 means inferred from the spacing
	// of the timestamps.
	Granularity time.Duration
	// Location is the series' zone: whole-day buckets start at its local
	// midnight, and methods place seasonal slots in its local time; nil
	// means UTC. Timestamps without a zone are read as UTC all the same.
	Location *time.Location
	// TimeColumn and ValueColumn name the columns to read, matched without
	// regard to case; empty means "timestamp" and "value".
	TimeColumn, ValueColumn string
}

// Record is one input row.
type Record struct {
	Line      int       // line of the row in the file, from 1 (the header is line 1)
	Timestamp string    // the timestamp as given
	Time      time.Time // the timestamp parsed
	Value     float64   // NaN when missing
	Bucket    int       // index of the row's bucket in the Input's Series
}

// Input is a table of rows mapped onto a regular series.
//
// Each row belongs to the bucket nearest its timestamp. When several rows
// fall into one bucket, the series holds the value of the latest observed
// one (by timestamp, then by position in the input); Run still judges every
// row on its own value.
type Input struct {
	Rows        []Record        // in input order
	Series      detector.Series // from the first to the last bucket; empty buckets are NaN
	Granularity time.Duration   // the bucket length, given or inferred
	Inferred    bool            // whether Granularity was inferred
}

// ReadCSV reads a CSV with a header row and the columns "timestamp" and
// "value" (any case; other columns are ignored), infers its granularity and
// maps its rows onto a regular series. See Options.ReadCSV.
func ReadCSV(r io.Reader) (Input, error) { return Options{}.ReadCSV(r) }

// ReadCSV reads a CSV with a header row as o says. A row with a bad
// timestamp or value is an error naming its line; missing values are kept as
// NaN.
func (o Options) ReadCSV(r io.Reader) (Input, error) {
	recs, err := o.readRecords(r)
	if err != nil {
		return Input{}, err
	}
	return NewInput(recs, o)
}

func (o Options) readRecords(r io.Reader) ([]Record, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("csv: empty input, want a header row with columns timestamp and value")
	}
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	ti, vi, err := o.columns(head)
	if err != nil {
		return nil, err
	}
	var recs []Record
	var tp timeParser
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		rec, err := record(&tp, row, ti, vi, line)
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return nil, errors.New("csv: no data rows after the header")
	}
	return recs, nil
}

// columns finds the timestamp and value columns in the header.
func (o Options) columns(head []string) (ti, vi int, err error) {
	tn, vn := cmp.Or(o.TimeColumn, "timestamp"), cmp.Or(o.ValueColumn, "value")
	ti, vi = -1, -1
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		switch {
		case strings.EqualFold(h, tn) && ti < 0:
			ti = i
		case strings.EqualFold(h, vn) && vi < 0:
			vi = i
		}
	}
	if ti < 0 || vi < 0 {
		return 0, 0, fmt.Errorf("csv: line 1: header must name the columns %q and %q, got %q", tn, vn, strings.Join(head, ","))
	}
	return ti, vi, nil
}

// record parses one data row.
func record(tp *timeParser, row []string, ti, vi, line int) (Record, error) {
	if ti >= len(row) || vi >= len(row) {
		return Record{}, fmt.Errorf("csv: line %d: %d fields, want at least %d", line, len(row), max(ti, vi)+1)
	}
	t, err := tp.parse(row[ti])
	if err != nil {
		return Record{}, fmt.Errorf("csv: line %d: %w", line, err)
	}
	v, err := ParseValue(row[vi])
	if err != nil {
		return Record{}, fmt.Errorf("csv: line %d: %w", line, err)
	}
	return Record{Line: line, Timestamp: strings.TrimSpace(row[ti]), Time: t, Value: v}, nil
}
