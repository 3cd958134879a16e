package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// serialTests may not run in parallel, each for the reason given.
var serialTests = map[string]string{
	"TestVersionCommand":   "sets the package variables Version and Commit",
	"TestServeMemoryLimit": "sets the process's soft memory limit (restored when it ends)",
}

// Serial tests all run before any parallel one, so one new test without
// t.Parallel() adds its whole time to the package's wall time, which is
// the suite's critical path (docs/testing.md § Parallel tests). Every
// top-level test here starts with t.Parallel() unless serialTests says
// why not.
func TestEveryTestIsParallel(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*_test.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files found: %v", err)
	}
	fset := token.NewFileSet()
	seen := 0
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Name.Name == "TestMain" || len(fn.Name.Name) < 5 || fn.Name.Name[:4] != "Test" {
				continue
			}
			seen++
			if _, serial := serialTests[fn.Name.Name]; serial {
				continue
			}
			if !startsParallel(fn) {
				t.Errorf("%s (%s) does not start with t.Parallel(): add it, or list it in serialTests with the reason", fn.Name.Name, fset.Position(fn.Pos()))
			}
		}
	}
	if seen < 100 {
		t.Fatalf("only %d tests found: is the test run from the package directory?", seen)
	}
}

func startsParallel(fn *ast.FuncDecl) bool {
	if fn.Body == nil || len(fn.Body.List) == 0 {
		return false
	}
	expr, ok := fn.Body.List[0].(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := expr.X.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Parallel"
}
