package tabular

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStagingRoundTrip: what Put stages, Open gives back once — to the
// same user, with the same extension — and Close removes it.
func TestStagingRoundTrip(t *testing.T) {
	s := NewStaging(filepath.Join(t.TempDir(), "stage"))
	tok, err := s.Put(7, ".CSV", strings.NewReader("名称,等级\n甲,A\n"), 1024)
	if err != nil {
		t.Fatal(err)
	}
	if !stagingToken.MatchString(tok) {
		t.Fatalf("token %q", tok)
	}
	info, err := os.Stat(s.dir)
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("staging folder %v %v", info, err)
	}
	f, err := s.Open(7, tok, ".csv")
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := f.Stat(); st.Mode().Perm() != 0o600 {
		t.Errorf("staged file mode %v", st.Mode())
	}
	b, err := io.ReadAll(io.NewSectionReader(f, 0, f.Size))
	if err != nil || string(b) != "名称,等级\n甲,A\n" || f.Size != int64(len(b)) {
		t.Fatalf("read %q (size %d) %v", b, f.Size, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(7, tok, ".csv"); !errors.Is(err, ErrStagedGone) {
		t.Fatalf("a committed upload opened again: %v", err)
	}
}

// TestStagingTokenIsTheUploaders: another user's token, or the right
// token with the other extension, opens nothing; malformed tokens and
// extensions are refused before the file system is asked.
func TestStagingTokenIsTheUploaders(t *testing.T) {
	s := NewStaging(t.TempDir())
	tok, err := s.Put(7, ".xlsx", strings.NewReader("PK"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(8, tok, ".xlsx"); !errors.Is(err, ErrStagedGone) {
		t.Errorf("user 8 opened user 7's upload: %v", err)
	}
	if _, err := s.Open(7, tok, ".csv"); !errors.Is(err, ErrStagedGone) {
		t.Errorf("the token opened with another extension: %v", err)
	}
	for _, bad := range []struct{ tok, ext string }{
		{"../../etc/passwd-aaaaaaaaaaaaaaaa", ".csv"}, {"short", ".csv"}, {tok, ".exe"}, {tok, ""}, {tok + "/x", ".xlsx"},
	} {
		if _, err := s.Open(7, bad.tok, bad.ext); !errors.Is(err, ErrStagedToken) {
			t.Errorf("Open(%q, %q): %v, want ErrStagedToken", bad.tok, bad.ext, err)
		}
	}
	if _, err := s.Put(7, ".pdf", strings.NewReader("x"), 0); !errors.Is(err, ErrStagedToken) {
		t.Errorf("staged a .pdf: %v", err)
	}
	// The owner still has it: the refused attempts did not consume it.
	f, err := s.Open(7, tok, ".xlsx")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestStagingSizeLimit: an upload over the limit is refused and leaves
// no file; one exactly at the limit is staged.
func TestStagingSizeLimit(t *testing.T) {
	s := NewStaging(t.TempDir())
	if _, err := s.Put(1, ".csv", strings.NewReader(strings.Repeat("a", 11)), 10); !errors.Is(err, ErrStagedTooLarge) {
		t.Fatalf("11 bytes under a 10-byte limit: %v", err)
	}
	if left := files(t, s.dir); len(left) != 0 {
		t.Fatalf("a refused upload left %v", left)
	}
	if _, err := s.Put(1, ".csv", strings.NewReader(strings.Repeat("a", 10)), 10); err != nil {
		t.Fatalf("10 bytes under a 10-byte limit: %v", err)
	}
	// A failing reader leaves nothing behind either.
	if _, err := s.Put(1, ".csv", io.MultiReader(strings.NewReader("abc"), errReader{}), 0); err == nil {
		t.Fatal("a failed copy was staged")
	}
	if left := files(t, s.dir); len(left) != 1 {
		t.Fatalf("staged %v, want the one good file", left)
	}
}

// TestStagingCleansExpired: the next Put removes files older than TTL,
// and an expired file no longer opens even before that.
func TestStagingCleansExpired(t *testing.T) {
	s := NewStaging(t.TempDir())
	old, err := s.Put(1, ".csv", strings.NewReader("old"), 0)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := s.Put(2, ".csv", strings.NewReader("fresh"), 0)
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-s.TTL - time.Minute)
	if err := os.Chtimes(s.path(1, old, ".csv"), past, past); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(1, old, ".csv"); !errors.Is(err, ErrStagedGone) {
		t.Fatalf("an expired upload opened: %v", err)
	}
	// Expire the fresh one too, then stage a third: the Put sweeps it.
	if err := os.Chtimes(s.path(2, fresh, ".csv"), past, past); err != nil {
		t.Fatal(err)
	}
	third, err := s.Put(3, ".csv", strings.NewReader("third"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if left := files(t, s.dir); len(left) != 1 || left[0] != filepath.Base(s.path(3, third, ".csv")) {
		t.Fatalf("after the sweep: %v", left)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func files(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
