// Command crdb-parser reports CockroachDB's parser's verdict on every statement of many SQL files.
//
// It reads one JSON request on stdin, {"files":[{"path":"a.sql","sql":"..."}]}, and writes one JSON
// response on stdout: per file, per statement, accepted or not with CockroachDB's own tag, message,
// SQLSTATE, hint and position. One process serves a whole lint run (see docs/adrs/0013).
//
// The grammar is the one of the github.com/cockroachdb/cockroachdb-parser module it is built with
// (v0.25.2 = CockroachDB 25.2 by go.mod, v0.23.2 = 23.2 by go.23.2.mod); the response names it.
//
// It never crashes on input: a panic inside the parser becomes a finding on that statement (code
// XX000), and the process still answers for every other statement and file.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/lexbase"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/parser"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/pgwire/pgerror"
	"github.com/cockroachdb/cockroachdb-parser/pkg/sql/scanner"
)

const parserModule = "github.com/cockroachdb/cockroachdb-parser"

type request struct {
	Files []fileIn `json:"files"`
}

type fileIn struct {
	Path string `json:"path"`
	SQL  string `json:"sql"`
}

type response struct {
	// Grammar is the CockroachDB release the parser is a snapshot of, "25.2".
	Grammar string `json:"grammar"`
	// Module is the parser module and version, "github.com/cockroachdb/cockroachdb-parser v0.25.2".
	Module string    `json:"module"`
	Files  []fileOut `json:"files"`
}

type fileOut struct {
	Path       string      `json:"path"`
	Statements []statement `json:"statements"`
}

// statement is one statement's verdict. Offsets count UTF-16 code units from the start of the
// file (what a JavaScript string index is); Line and Column (1-based, in characters) say where
// the error is.
type statement struct {
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Accepted bool   `json:"accepted"`
	Tag      string `json:"tag,omitempty"`
	Message  string `json:"message,omitempty"`
	Code     string `json:"code,omitempty"`
	Hint     string `json:"hint,omitempty"`
	// Issue is CockroachDB's tracking issue for an unimplemented feature, when the hint names one.
	Issue  string `json:"issue,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Position is the UTF-16 offset of the token CockroachDB's parser stopped at.
	Position *int `json:"position,omitempty"`
	Line     int  `json:"line,omitempty"`
	Column   int  `json:"column,omitempty"`
	// Crashed is set when the parser panicked on this statement (a parser bug, reported as XX000).
	Crashed bool `json:"crashed,omitempty"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		g, m := grammar()
		fmt.Printf("%s %s\n", g, m)
		return
	}
	var req request
	if err := json.NewDecoder(bufio.NewReader(os.Stdin)).Decode(&req); err != nil && err != io.EOF {
		fmt.Fprintf(os.Stderr, "crdb-parser: the request on stdin is not JSON {\"files\":[{\"path\",\"sql\"}]}: %v\n", err)
		os.Exit(2)
	}
	g, m := grammar()
	res := response{Grammar: g, Module: m, Files: make([]fileOut, 0, len(req.Files))}
	for _, f := range req.Files {
		res.Files = append(res.Files, fileOut{Path: f.Path, Statements: checkFile(f.SQL)})
	}
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		fmt.Fprintf(os.Stderr, "crdb-parser: cannot write the response: %v\n", err)
		os.Exit(1)
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "crdb-parser: cannot write the response: %v\n", err)
		os.Exit(1)
	}
}

// grammar names the CockroachDB release of the linked parser module, from the build information.
func grammar() (release, module string) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown", parserModule
	}
	for _, d := range info.Deps {
		if d.Path != parserModule {
			continue
		}
		v := d.Version
		if d.Replace != nil {
			v = d.Replace.Version
		}
		// v0.25.2 is a snapshot of CockroachDB 25.2.
		parts := strings.Split(strings.TrimPrefix(v, "v"), ".")
		if len(parts) == 3 && parts[0] == "0" {
			return parts[1] + "." + parts[2], parserModule + " " + v
		}
		return v, parserModule + " " + v
	}
	return "unknown", parserModule
}

// checkFile splits sql into statements the way CockroachDB's parser does and parses each alone,
// so that one rejected statement does not hide the verdict on the others.
func checkFile(sql string) (out []statement) {
	pos := newPositions(sql)
	defer func() {
		// The splitter itself crashed: one finding for the rest of the file.
		if r := recover(); r != nil {
			out = append(out, crashed(pos, 0, len(sql), r))
		}
	}()
	for _, span := range split(sql) {
		out = append(out, checkStatement(pos, sql, span[0], span[1]))
	}
	return out
}

// split returns the [start, end) byte ranges of the statements in sql, without the semicolons. It
// follows parser.scanOneStmt: a ';' inside BEGIN ATOMIC ... END does not end the statement, and a
// lexical error runs the statement to the end of the input (the parser reports it).
func split(sql string) [][2]int {
	var s scanner.SQLScanner
	s.Init(sql)
	var spans [][2]int
	var tok token
	for {
		s.Scan(&tok)
		if tok.id == 0 {
			return spans
		}
		if tok.id == ';' {
			continue
		}
		start := int(tok.pos)
		atomic := 0
		prev := tok.id
		for {
			if tok.id == lexbase.ERROR {
				return append(spans, [2]int{start, len(sql)})
			}
			prev = tok.id
			s.Scan(&tok)
			if prev == lexbase.BEGIN && tok.id == lexbase.ATOMIC {
				atomic++
			}
			if atomic > 0 && tok.id == lexbase.END {
				atomic--
			}
			if tok.id == 0 {
				spans = append(spans, [2]int{start, len(strings.TrimRight(sql, " \t\r\n"))})
				return spans
			}
			if atomic == 0 && tok.id == ';' {
				spans = append(spans, [2]int{start, int(tok.pos)})
				break
			}
		}
	}
}

func checkStatement(pos *positions, sql string, start, end int) (st statement) {
	st = statement{Start: pos.utf16(start), End: pos.utf16(end)}
	defer func() {
		if r := recover(); r != nil {
			st = crashed(pos, start, end, r)
		}
	}()
	// Test hook: a statement holding $CRDB_PARSER_PANIC_ON panics here, so the tests prove that a
	// parser panic becomes a finding on its statement and the run goes on (no input is known to
	// panic the parser once PL/pgSQL is wired in).
	if marker := os.Getenv("CRDB_PARSER_PANIC_ON"); marker != "" && strings.Contains(sql[start:end], marker) {
		panic("test panic on " + marker)
	}
	stmts, err := parser.Parse(sql[start:end])
	if err == nil {
		st.Accepted = true
		tags := make([]string, 0, len(stmts))
		for _, s := range stmts {
			tags = append(tags, s.AST.StatementTag())
		}
		st.Tag = strings.Join(tags, "; ")
		return st
	}
	flat := pgerror.Flatten(err)
	st.Message = flat.Message
	st.Code = flat.Code
	st.Hint, st.Issue = trackingIssue(flat.Hint)
	at := start
	if off, ok := caretOffset(flat.Detail); ok && start+off <= end {
		at = start + off
	}
	st.Detail = stripSource(flat.Detail)
	p := pos.utf16(at)
	st.Position = &p
	st.Line, st.Column = pos.lineColumn(at)
	return st
}

func crashed(pos *positions, start, end int, r any) statement {
	p := pos.utf16(start)
	line, column := pos.lineColumn(start)
	return statement{
		Start:    pos.utf16(start),
		End:      pos.utf16(end),
		Message:  fmt.Sprintf("CockroachDB's parser crashed on this statement: %v", r),
		Code:     "XX000",
		Hint:     "this is a bug in github.com/cockroachdb/cockroachdb-parser; rewrite the statement or report it with the statement attached",
		Position: &p,
		Line:     line,
		Column:   column,
		Crashed:  true,
	}
}

// caretOffset reads the byte offset of the token the parser stopped at from the error's detail,
// which CockroachDB writes as "source SQL:\n<text up to the end of that line>\n<spaces>^".
func caretOffset(detail string) (int, bool) {
	const head = "source SQL:\n"
	i := strings.Index(detail, head)
	if i < 0 {
		return 0, false
	}
	body := detail[i+len(head):]
	nl := strings.LastIndexByte(body, '\n')
	if nl < 0 {
		return 0, false
	}
	caretLine := body[nl+1:]
	if j := strings.IndexByte(caretLine, '\n'); j >= 0 {
		caretLine = caretLine[:j]
	}
	col := strings.IndexByte(caretLine, '^')
	if col < 0 {
		return 0, false
	}
	source := body[:nl]
	lineStart := strings.LastIndexByte(source, '\n') + 1
	return lineStart + col, true
}

// go.crdb.dev/issue-v/27796/v0.0 is a redirect to CockroachDB's issue 27796 keyed by the parser
// module's own version (v0.0 in the 23.2 snapshot): the GitHub address says the same plainly.
var issueLink = regexp.MustCompile(`https://go\.crdb\.dev/issue-v/(\d+)/[^\s]*`)

func trackingIssue(hint string) (string, string) {
	m := issueLink.FindStringSubmatch(hint)
	if m == nil {
		return hint, ""
	}
	issue := "https://github.com/cockroachdb/cockroach/issues/" + m[1]
	return issueLink.ReplaceAllLiteralString(hint, issue), issue
}

// stripSource drops the "source SQL" excerpt from a detail: lint shows file:line:column instead.
func stripSource(detail string) string {
	if i := strings.Index(detail, "source SQL:\n"); i >= 0 {
		return strings.TrimSpace(detail[:i])
	}
	return detail
}

// positions converts byte offsets into UTF-16 offsets and 1-based lines and columns. Statements
// come in file order, so a cursor makes a whole file's conversions linear.
type positions struct {
	sql        string
	lineStarts []int
	// cursor: the UTF-16 offset of byte cursorByte.
	cursorByte, cursorUnits int
}

func newPositions(sql string) *positions {
	p := &positions{sql: sql, lineStarts: []int{0}}
	for i := 0; i < len(sql); i++ {
		if sql[i] == '\n' {
			p.lineStarts = append(p.lineStarts, i+1)
		}
	}
	return p
}

func (p *positions) utf16(byteOffset int) int {
	if byteOffset > len(p.sql) {
		byteOffset = len(p.sql)
	}
	if byteOffset < p.cursorByte {
		p.cursorByte, p.cursorUnits = 0, 0
	}
	for _, r := range p.sql[p.cursorByte:byteOffset] {
		if r >= 0x10000 {
			p.cursorUnits += 2
		} else {
			p.cursorUnits++
		}
	}
	p.cursorByte = byteOffset
	return p.cursorUnits
}

func (p *positions) lineColumn(byteOffset int) (line, column int) {
	if byteOffset > len(p.sql) {
		byteOffset = len(p.sql)
	}
	// The last line start at or before byteOffset.
	line = sort.SearchInts(p.lineStarts, byteOffset+1)
	return line, utf8.RuneCountInString(p.sql[p.lineStarts[line-1]:byteOffset]) + 1
}

// token is the scanner's view of a token (scanner.ScanSymType).
type token struct {
	id    int32
	pos   int32
	str   string
	union any
}

func (t *token) ID() int32                 { return t.id }
func (t *token) SetID(id int32)            { t.id = id }
func (t *token) Pos() int32                { return t.pos }
func (t *token) SetPos(pos int32)          { t.pos = pos }
func (t *token) Str() string               { return t.str }
func (t *token) SetStr(str string)         { t.str = str }
func (t *token) UnionVal() interface{}     { return t.union }
func (t *token) SetUnionVal(u interface{}) { t.union = u }
