// Package demo is a placeholder until the demo data generator lands.
package demo

import "time"

// Table is one generated table.
type Table struct {
	Name    string
	Columns []string
	Types   []string
	Rows    [][]any
}

// Generate is a placeholder that generates nothing.
func Generate(anchor time.Time) []Table { return nil }
