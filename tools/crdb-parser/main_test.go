package main

import (
	"strings"
	"testing"
	"unicode/utf16"
)

// The helper never crashes on input and its offsets stay inside the text: DO blocks (which
// panic without the PL/pgSQL parser), lexical errors, unbalanced BEGIN ATOMIC, NUL bytes,
// invalid UTF-8 and deep nesting are seeds; `go test -fuzz=FuzzCheckFile` explores from them.
func FuzzCheckFile(f *testing.F) {
	for _, seed := range []string{
		"DO $$ BEGIN RAISE NOTICE 'x'; END $$;",
		"DO $$ BEGIN",
		"SELECT 'unterminated",
		"CREATE FUNCTION f() RETURNS INT LANGUAGE SQL BEGIN ATOMIC SELECT 1;",
		"SELECT 1; END; END; ;;;",
		"\x00\xff\xfe SELECT \"\x80\";",
		"SELECT " + strings.Repeat("(", 2000) + "1" + strings.Repeat(")", 2000) + ";",
		"CREATE INDEX ON t (a) USING HASH; ALTER TABLE t CONFIGURE ZONE USING num_replicas = 5;",
		"-- 🐐 é\nCREATE TABLE t (a INT) TABLESPACE pg_default;",
		"$1 $$ $a$ $a$$ E'\\",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		units := len(utf16.Encode([]rune(sql)))
		for _, st := range checkFile(sql) {
			if st.Start < 0 || st.Start > st.End || st.End > units {
				t.Fatalf("statement [%d,%d) outside the text (%d units)", st.Start, st.End, units)
			}
			if !st.Accepted && st.Code == "" {
				t.Fatalf("a rejected statement without SQLSTATE: %+v", st)
			}
			if st.Position != nil && (*st.Position < 0 || *st.Position > units) {
				t.Fatalf("position %d outside the text", *st.Position)
			}
		}
	})
}

func TestDoBlockParsesWithPLpgSQL(t *testing.T) {
	got := checkFile("DO $$ BEGIN RAISE NOTICE 'x'; END $$;")
	if len(got) != 1 || !got[0].Accepted || got[0].Tag != "DO" || got[0].Crashed {
		t.Fatalf("DO block: %+v", got)
	}
}

func TestPanicBecomesFinding(t *testing.T) {
	t.Setenv("CRDB_PARSER_PANIC_ON", "boom_marker")
	got := checkFile("SELECT 1; SELECT boom_marker; SELECT 2;")
	if len(got) != 3 || !got[0].Accepted || !got[2].Accepted {
		t.Fatalf("the statements around the panic: %+v", got)
	}
	if !got[1].Crashed || got[1].Code != "XX000" || got[1].Line != 1 || got[1].Column != 11 {
		t.Fatalf("the panic: %+v", got[1])
	}
}
