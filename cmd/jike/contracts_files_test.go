package main

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jike-crm/jike/modules/contracts"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/platform/testkit"
)

// postFile uploads data as the multipart field "file" named name.
func postFile(t *testing.T, c *testkit.Client, path, name string, data []byte) *testkit.Response {
	t.Helper()
	if c.CSRF() == "" {
		c.Get("/")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("_csrf", c.CSRF()); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Do(req)
}

// minimalPDF is a tiny but real PDF header and body.
var minimalPDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// exe is the start of a Windows program (MZ header), whatever it is called.
var exe = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), bytes.Repeat([]byte{0}, 200)...)

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestContractAttachments: the signed scan goes up as PDF, JPEG or PNG
// (judged by content, not name), within the size limit; only those who
// may see the contract download it (another team's is a 404); deleting is
// soft and audited; a failed upload leaves no bytes and no record.
func TestContractAttachments(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const limit = 64 << 10
		w := newContractWorld(t, d, func(o *appOptions) { o.Contracts.MaxAttachmentBytes = limit })
		c := w.signed(t)
		page := "/contracts/" + itoa(c.ID)
		am := loggedIn(t, w.a, "liwei")
		files := func() (int64, int64) {
			return countRows(t, d, &contracts.File{}, ""), countRows(t, d, &contracts.Attachment{}, "")
		}

		res := postFile(t, am, page+"/attachments", "签署扫描件.pdf", minimalPDF)
		if res.Status != 303 {
			t.Fatalf("upload: %d\n%.1500s", res.Status, res.Body)
		}
		var a contracts.Attachment
		if err := d.Gorm.Order("id DESC").First(&a).Error; err != nil {
			t.Fatal(err)
		}
		dl := page + "/attachments/" + itoa(a.ID)
		runScenarios(t, w.a, []scenario{
			{name: "listed with size, uploader and time", as: "liwei", path: page, status: 200, want: []string{"签署扫描件.pdf", a.Size(), "李伟", dl}},
			{name: "another team's manager: 404", as: "zhoujie", path: dl, status: 404},
			{name: "another team's chief rep: 404", as: "sunli", path: dl, status: 404},
			{name: "another branch's director: 404", as: "liuzhiqiang", path: dl, status: 404},
			{name: "through another contract's id: 404", as: "liwei", path: "/contracts/" + itoa(c.ID+100) + "/attachments/" + itoa(a.ID), status: 404},
			{name: "another team cannot upload", as: "zhoujie", method: "POST", path: page + "/attachments", form: url.Values{}, status: 404},
			{name: "admin cannot upload", as: "admin", method: "POST", path: page + "/attachments", form: url.Values{}, status: 403},
		})
		for _, who := range []string{"liwei", "zhaomin", "wangjianguo", "admin"} {
			r := loggedIn(t, w.a, who).Get(dl)
			if r.Status != 200 || r.Body != string(minimalPDF) || r.Header.Get("Content-Type") != "application/pdf" ||
				!strings.Contains(r.Header.Get("Content-Disposition"), "filename*=UTF-8''%E7%AD%BE") {
				t.Fatalf("%s downloads: %d %q %q", who, r.Status, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
			}
		}
		nf, na := files()
		for _, bad := range []struct {
			name string
			data []byte
			want string
		}{
			{"scan.pdf", exe, "只能上传 PDF、JPEG 或 PNG"},
			{"setup.exe", exe, "只能上传 PDF、JPEG 或 PNG"},
			{"notes.pdf", []byte("just text, not a PDF"), "只能上传 PDF、JPEG 或 PNG"},
			{"big.pdf", append(append([]byte{}, minimalPDF...), bytes.Repeat([]byte(" "), limit)...), "文件太大"},
			{"empty.pdf", nil, "文件是空的"},
		} {
			r := postFile(t, am, page+"/attachments", bad.name, bad.data)
			if r.Status != 422 || !strings.Contains(r.Body, bad.want) {
				t.Fatalf("%s: %d, want 422 %q\n%.600s", bad.name, r.Status, bad.want, r.Body)
			}
		}
		if f, n := files(); f != nf || n != na {
			t.Fatalf("refused uploads left %d files and %d records (had %d, %d)", f, n, nf, na)
		}
		// A PNG named .pdf is a PNG.
		if r := postFile(t, am, page+"/attachments", "扫描.pdf", pngBytes(t)); r.Status != 303 {
			t.Fatalf("png: %d", r.Status)
		}
		var pngAtt contracts.Attachment
		d.Gorm.Order("id DESC").First(&pngAtt)
		if pngAtt.ContentType != "image/png" || pngAtt.FileName != "扫描.png" {
			t.Fatalf("png stored as %q %q", pngAtt.ContentType, pngAtt.FileName)
		}

		// Deleting is soft and audited.
		if r := am.PostForm(dl+"/delete", url.Values{}); r.Status != 303 {
			t.Fatalf("delete: %d", r.Status)
		}
		runScenarios(t, w.a, []scenario{
			{name: "deleted: gone from the page", as: "liwei", path: page, status: 200, wantNot: []string{dl}},
			{name: "deleted: no download", as: "liwei", path: dl, status: 404},
		})
		var kept contracts.Attachment
		if err := d.Gorm.Unscoped().First(&kept, a.ID).Error; err != nil || !kept.DeletedAt.Valid || kept.DeletedBy == nil {
			t.Fatalf("the record is kept with who deleted it: %+v %v", kept, err)
		}
		if n := countRows(t, d, &audit.Entry{}, "entity = ? AND entity_id = ? AND action = ?", "contract", c.ID, "attachment_delete"); n != 1 {
			t.Fatalf("%d audit entries for the deletion", n)
		}

		// Nothing left behind when an upload fails after the bytes went in:
		// in the database store the transaction takes them back; another
		// store (S3) is told to delete them.
		liwei := subject(t, w.a, "liwei")
		enf, _ := authz.New()
		injected := errors.New("injected failure")
		nf, na = files()
		dbSvc := contracts.NewService(contracts.NewStore(d.Gorm), enf, w.a.ContractDeps,
			contracts.Options{Blobs: failAfterPut{contracts.NewDBBlobs(d.Gorm), injected}})
		if _, err := dbSvc.Upload(ctx, liwei, c.ID, "a.pdf", minimalPDF); !errors.Is(err, injected) {
			t.Fatalf("upload: %v", err)
		}
		if f, n := files(); f != nf || n != na {
			t.Fatalf("a failed upload left %d files and %d records (had %d, %d)", f, n, nf, na)
		}
		mem := &memBlobs{m: map[string][]byte{}}
		extSvc := contracts.NewService(contracts.NewStore(d.Gorm), enf, w.a.ContractDeps, contracts.Options{Blobs: failAfterPut{mem, injected}})
		if _, err := extSvc.Upload(ctx, liwei, c.ID, "a.pdf", minimalPDF); !errors.Is(err, injected) {
			t.Fatalf("upload: %v", err)
		}
		if len(mem.m) != 0 || mem.puts != 1 {
			t.Fatalf("the external store kept %d objects after a failed upload (%d puts)", len(mem.m), mem.puts)
		}
		if _, n := files(); n != na {
			t.Fatalf("a failed upload left a record")
		}
	})
}

// failAfterPut stores the bytes, then fails.
type failAfterPut struct {
	contracts.BlobStore
	err error
}

func (f failAfterPut) Put(ctx context.Context, key string, data []byte) error {
	if err := f.BlobStore.Put(ctx, key, data); err != nil {
		return err
	}
	return f.err
}

// memBlobs is a store outside the database, like S3.
type memBlobs struct {
	mu   sync.Mutex
	m    map[string][]byte
	puts int
}

func (b *memBlobs) Put(_ context.Context, key string, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.puts++
	b.m[key] = data
	return nil
}

func (b *memBlobs) Get(_ context.Context, key string) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.m[key], nil
}

func (b *memBlobs) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.m, key)
	return nil
}
