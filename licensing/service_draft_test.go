package licensing_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"tollgate"
	"tollgate/licensing"
	"tollgate/licensing/licensingtest"
)

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var te *tollgate.Error
	if !errors.As(err, &te) || te.Code != tollgate.EINVALID || te.Field != field {
		t.Fatalf("got %v, want an invalid %s", err, field)
	}
}

func TestServiceUploadDocument(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	officer := licensingtest.As(e.w.Officer())
	sa, err := e.svc.CreateDraft(officer, e.w.Draft())
	mustNoErr(t, err)
	pdf := licensingtest.PDF("a statement")
	tests := []struct {
		name, file, contentType string
		content                 []byte
		code, field             string
	}{
		{"OK", "dir/statement.pdf", "application/pdf", pdf, "", ""},
		{"ErrDuplicate", "again.pdf", "", pdf, tollgate.ECONFLICT, ""},
		{"ErrNotPDF", "notes.pdf", "", []byte("just some text, not a PDF"), tollgate.EINVALID, "content"},
		{"ErrTruncatedPDF", "cut.pdf", "", []byte("%PDF-1.7\n1 0 obj"), tollgate.EINVALID, "content"},
		{"ErrDeclaredType", "x.png", "image/png", licensingtest.PDF("b"), tollgate.EINVALID, "content_type"},
		{"ErrEmpty", "empty.pdf", "", nil, tollgate.EINVALID, "content"},
		{"ErrNoName", " ", "", licensingtest.PDF("c"), tollgate.EINVALID, "name"},
		{"ErrTooLarge", "big.pdf", "", append(licensingtest.PDF("d"), bytes.Repeat([]byte(" "), 25<<20)...), tollgate.ELIMIT, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, doc, err := e.svc.UploadDocument(officer, sa.ID, tt.file, tt.contentType, tt.content)
			if tt.field != "" {
				wantField(t, err, tt.field)
				return
			}
			wantCode(t, err, tt.code)
			if tt.code == "" && (doc.Name != "statement.pdf" || doc.ContentType != "application/pdf" || len(got.Documents) != 1) {
				t.Errorf("uploaded %+v, application has %d documents", doc, len(got.Documents))
			}
		})
	}
	t.Run("ErrSubmitted", func(t *testing.T) {
		id := e.w.Submitted(t, e.svc)
		_, _, err := e.svc.UploadDocument(officer, id, "late.pdf", "", licensingtest.PDF("late"))
		wantCode(t, err, tollgate.ECONFLICT)
	})
	t.Run("Download", func(t *testing.T) {
		sum := sha256.Sum256(pdf)
		doc, content, err := e.svc.Document(licensingtest.As(e.w.AuditorPrincipal()), sa.ID, hex.EncodeToString(sum[:]))
		mustNoErr(t, err)
		if !bytes.Equal(content, pdf) || doc.Size != int64(len(pdf)) {
			t.Errorf("downloaded %d bytes, want %d", len(content), len(pdf))
		}
	})
}

func TestServiceCertify(t *testing.T) {
	e := newEnv(t, "sqlite:"+t.TempDir()+"/t.db")
	officer := licensingtest.As(e.w.Officer())
	sa, err := e.svc.CreateDraft(officer, e.w.Draft())
	mustNoErr(t, err)
	spec := licensing.H200Certifications()[1]
	tests := []struct {
		name  string
		in    licensing.CertificationInput
		field string
	}{
		{"ErrUnknownCode", licensing.CertificationInput{Code: "everything_fine", Statement: "x", OfficerName: "Jane"}, "code"},
		{"ErrWeakerStatement", licensing.CertificationInput{Code: spec.Code, Statement: "US supply is probably fine.", OfficerName: "Jane"}, "statement"},
		{"ErrNoStatement", licensing.CertificationInput{Code: spec.Code, OfficerName: "Jane"}, "statement"},
		{"ErrNoOfficer", licensing.CertificationInput{Code: spec.Code, Statement: spec.Statement}, "officer_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.Certify(officer, sa.ID, tt.in, 0)
			wantField(t, err, tt.field)
		})
	}
	t.Run("OK", func(t *testing.T) {
		got, err := e.svc.Certify(officer, sa.ID, licensing.CertificationInput{Code: spec.Code, Statement: spec.Statement, OfficerName: " Jane Officer "}, 0)
		mustNoErr(t, err)
		c := got.Certifications[0]
		if c.OfficerName != "Jane Officer" || c.OfficerUserID != e.w.Officer().UserID || c.MadeAt.IsZero() {
			t.Errorf("certification %+v: want Jane Officer as the caller, with a time", c)
		}
	})
	t.Run("ErrNotTheExporter", func(t *testing.T) {
		_, err := e.svc.Certify(licensingtest.As(e.w.LicensingOfficer()), sa.ID, licensing.CertificationInput{Code: spec.Code,
			Statement: spec.Statement, OfficerName: "BIS"}, 0)
		wantCode(t, err, tollgate.EFORBIDDEN)
	})
	t.Run("UpdateWithdrawsCertifications", func(t *testing.T) {
		end := "Inference only."
		got, err := e.svc.UpdateDraft(officer, sa.ID, licensing.DraftUpdate{EndUse: &end}, 0)
		mustNoErr(t, err)
		if len(got.Certifications) != 0 || got.EndUse != end {
			t.Errorf("after an update: %d certifications, end use %q", len(got.Certifications), got.EndUse)
		}
	})
}
