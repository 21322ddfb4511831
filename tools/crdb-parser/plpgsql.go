//go:build !crdb232

package main

// Wires CockroachDB's PL/pgSQL parser into the SQL parser: without it the SQL parser panics on a
// DO block (parser.ParseDoBlockFn is nil). The 23.2 snapshot has neither DO nor this package.
import _ "github.com/cockroachdb/cockroachdb-parser/pkg/sql/plpgsql/parser"
