package api

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"tollgate"
	"tollgate/auth"
	"tollgate/screen/lists"
	"tollgate/screening"
)

// maxListImportBytes bounds the body of POST /v1/lists/import: the largest
// real list (the UN XML, about 2 MB; the CSL, about 1.4 MB compressed)
// with room to grow and for JSON escaping or base64.
const maxListImportBytes = 64 << 20

func (s *server) handleListListVersions(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := s.pageParams(r)
	if err != nil {
		return err
	}
	current, err := queryBool(r, "current")
	if err != nil {
		return err
	}
	source := queryString(r, "source")
	if current {
		if cursor != "" {
			return tollgate.FieldErrorf("cursor", "not allowed with current=true, which is not paged")
		}
		vs, err := s.store.CurrentListVersions(r.Context())
		if err != nil {
			return err
		}
		if source != "" {
			kept := vs[:0]
			for _, v := range vs {
				if v.Source == source {
					kept = append(kept, v)
				}
			}
			vs = kept
		}
		return encode(w, http.StatusOK, pageOf(vs, ""))
	}
	vs, next, err := s.store.FindListVersions(r.Context(), tollgate.ListVersionFilter{Source: source, Cursor: cursor, Limit: limit})
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(vs, next))
}

func (s *server) handleGetListVersion(w http.ResponseWriter, r *http.Request) error {
	v, err := s.store.FindListVersionByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	// List versions are reference data: no owner, every holder of
	// list.read reaches them.
	if err := s.authorize(r, PermListRead, auth.Ownership{}, notFoundError("list version", v.ID)); err != nil {
		return err
	}
	return encode(w, http.StatusOK, v)
}

func (s *server) handleListListEntries(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := s.pageParams(r)
	if err != nil {
		return err
	}
	es, next, err := s.store.FindListEntries(r.Context(), tollgate.ListEntryFilter{
		VersionID: r.PathValue("id"),
		List:      queryString(r, "list"),
		SourceID:  queryString(r, "source_id"),
		Cursor:    cursor,
		Limit:     limit,
	})
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, pageOf(es, next))
}

// ListImportInput is the body of POST /v1/lists/import: one list file,
// sent inline as text (content) or as base64 (content_base64, for
// gzip-compressed files). The format is detected as `tollgate lists import`
// detects it, from the content and the file name; OFAC files are read as a
// lone sdn.csv.
type ListImportInput struct {
	// FileName is the file's base name; it helps format detection and
	// gives the publication date when the name holds one
	// ("consolidated-2022-04.csv.gz").
	FileName string `json:"file_name"`
	// Content is the file as it is: the text rules of request bodies
	// (checkStrictJSON) do not apply to it, since list files hold control
	// characters of their own (OFAC's end-of-file mark).
	Content       string `json:"content,omitempty" text:"raw"`
	ContentBase64 string `json:"content_base64,omitempty"`
	// AllowOlder lets a file published before the source's current
	// version become current all the same; Reason, required with it, says
	// why, and the audit log records both. Without it such a file is
	// refused (409) naming both dates: lists move only forward.
	AllowOlder bool   `json:"allow_older,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// Validate checks that exactly one form of content is given and that the
// file name is a plain base name.
func (in *ListImportInput) Validate() error {
	switch {
	case in.FileName == "":
		return tollgate.FieldErrorf("file_name", "required")
	case in.FileName != filepath.Base(in.FileName) || strings.ContainsAny(in.FileName, `/\`) || in.FileName == "." || in.FileName == "..":
		return tollgate.FieldErrorf("file_name", "must be a base name without directories")
	case len(in.FileName) > 255:
		return tollgate.FieldErrorf("file_name", "longer than 255 bytes")
	case (in.Content == "") == (in.ContentBase64 == ""):
		return tollgate.FieldErrorf("content", "give exactly one of content and content_base64")
	}
	return nil
}

// ListImportResult is the response of a list import.
type ListImportResult struct {
	Version *tollgate.ListVersion `json:"version"`
	// Created is false when a version with the same digest existed: the
	// import changed nothing.
	Created bool `json:"created"`
	// Problems are the first malformed records the parser reported.
	Problems []lists.Problem `json:"problems,omitempty"`
	// Replaced is the newer version this import displaced as current, as
	// allow_older allowed; absent otherwise.
	Replaced *tollgate.ListVersion `json:"replaced,omitempty"`
}

// maxReportedProblems bounds the problems echoed in a ListImportResult.
const maxReportedProblems = 20

func (s *server) handleImportList(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ListImportInput](r)
	if err != nil {
		return err
	}
	if err := s.authorize(r, PermListWrite, auth.Ownership{}, notFoundError("list", in.FileName)); err != nil {
		return err
	}
	data := []byte(in.Content)
	if in.ContentBase64 != "" {
		if data, err = base64.StdEncoding.DecodeString(in.ContentBase64); err != nil {
			return tollgate.FieldErrorf("content_base64", "not valid base64: %v", err)
		}
	}
	res, err := parseListFile(in.FileName, data)
	if err != nil {
		return err
	}
	li := screening.ListImport(res, in.FileName)
	li.AllowOlder, li.Reason = in.AllowOlder, in.Reason
	var prev *tollgate.ListVersion
	if li.AllowOlder {
		// Only to report what the import displaced; the store decides,
		// in its own transaction, whether the file is older.
		if prev, err = s.currentListVersion(r.Context(), li.Source); err != nil {
			return err
		}
	}
	v, created, err := s.store.ImportListVersion(r.Context(), li)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	out := ListImportResult{Version: v, Created: created, Problems: res.Problems}
	if created && li.OlderThan(prev) {
		out.Replaced = prev
	}
	if len(out.Problems) > maxReportedProblems {
		out.Problems = out.Problems[:maxReportedProblems]
	}
	w.Header().Set("Location", "/v1/lists/"+v.ID)
	return encode(w, status, out)
}

// currentListVersion returns the current version of source, or nil.
func (s *server) currentListVersion(ctx context.Context, source string) (*tollgate.ListVersion, error) {
	vs, err := s.store.CurrentListVersions(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.Source == source {
			return v, nil
		}
	}
	return nil, nil
}

// parseListFile parses an uploaded file exactly as lists.Load parses a file
// on disk (same detection, digest and publication date), through a private
// temporary directory that is removed afterwards.
func parseListFile(name string, data []byte) (*lists.Result, error) {
	dir, err := os.MkdirTemp("", "tollgate-import-")
	if err != nil {
		return nil, fmt.Errorf("api.parseListFile: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, fmt.Errorf("api.parseListFile: %w", err)
	}
	res, err := lists.Load(path)
	if err != nil {
		// The parser names the file it read: show the client its own name,
		// not the server's temporary path.
		var e *tollgate.Error
		if errors.As(err, &e) {
			c := *e
			c.Message = strings.ReplaceAll(e.Message, path, name)
			return nil, &c
		}
		return nil, err
	}
	return res, nil
}
