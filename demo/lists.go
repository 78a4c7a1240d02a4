package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"tollgate"
	"tollgate/auth"
	"tollgate/screen/lists"
	"tollgate/screening"
)

// internalEntry is one entry of the demo's internal list: a listing the
// official snapshots lack, entered by hand with its Federal Register
// citation (regime.md §6).
type internalEntry struct {
	Name     string
	Aliases  []string
	Country  string
	Citation string
	Remarks  string
}

// mooreThreads was added to the Entity List on 17 Oct 2023, after the 2022
// CSL snapshot in ../shared/data was taken.
var mooreThreads = internalEntry{
	Name:     "Moore Threads Intelligent Technology (Beijing) Co., Ltd.",
	Aliases:  []string{"Moore Threads", "摩尔线程智能科技（北京）有限责任公司"},
	Country:  "CN",
	Citation: "88 FR 71991, 17 Oct 2023",
	Remarks:  "Entity List addition with its subsidiaries; license requirement: all items subject to the EAR; policy: presumption of denial",
}

// huaweiAffiliate is the Entity List entry of the Huawei affiliate as the
// CSL gives it. The internal list carries it only when no real list is
// loaded, so that the story's block still rests on a listing with its
// citation.
var huaweiAffiliate = internalEntry{
	Name:     "Beijing Huawei Digital Technologies Co., Ltd.",
	Aliases:  []string{"北京华为数字技术有限公司"},
	Country:  "CN",
	Citation: "84 FR 22961, 21 May 2019",
	Remarks:  "Huawei affiliate on the Entity List; entered by hand because no official list was loaded",
}

// internalList returns the CSV file of the internal list (the format
// "tollgate lists import" reads) holding entries.
func internalList(entries ...internalEntry) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"name", "aliases", "type", "country", "citation", "remarks"})
	for _, e := range entries {
		w.Write([]string{e.Name, strings.Join(e.Aliases, ";"), "organization", e.Country, e.Citation, e.Remarks})
	}
	w.Flush()
	return b.Bytes()
}

// ListUsed is one list version the story screened against.
type ListUsed struct {
	Source    string `json:"source"`
	File      string `json:"file"`
	Published string `json:"published,omitempty"`
	Entities  int    `json:"entities"`
}

// importLists imports the real lists as the operator; without any, it
// imports the internal list with the Huawei affiliate, so that screening
// has a list and the story's first block still happens.
func (p *play) importLists(ctx context.Context) error {
	admin := p.cast.member(adminUser.Key)
	ctx, err := p.as(ctx, admin, "list.write", auth.Ownership{})
	if err != nil {
		return err
	}
	var used []string
	for _, path := range p.opts.Lists {
		res, err := lists.Load(path)
		if err != nil {
			return err
		}
		if res.Format == lists.FormatCustom {
			return tollgate.Errorf(tollgate.EINVALID, "%s is an internal list; the demo makes its own", path)
		}
		v, err := p.importVersion(ctx, res, path)
		if err != nil {
			return err
		}
		used = append(used, fmt.Sprintf("%s %s (%s entities)", strings.ToUpper(v.Source), v.File, thousands(int64(v.Entities))))
		p.real = true
	}
	if !p.real {
		v, err := p.importInternal(ctx, huaweiAffiliate)
		if err != nil {
			return err
		}
		p.tell("cast", "no real restricted-party list was given or found: screening uses only the internal list, which therefore lists the Huawei affiliate by hand (%s) — %d entry",
			huaweiAffiliate.Citation, v.Entities)
		return nil
	}
	p.tell("cast", "%s imports the restricted-party lists: %s", admin.user.Email, strings.Join(used, ", "))
	return nil
}

// importInternal imports a new version of the internal list holding
// entries (and the Huawei affiliate when no real list was loaded).
func (p *play) importInternal(ctx context.Context, entries ...internalEntry) (ListUsed, error) {
	if !p.real && (len(entries) == 0 || entries[0].Name != huaweiAffiliate.Name) {
		entries = append([]internalEntry{huaweiAffiliate}, entries...)
	}
	res, err := lists.ParseCustom(bytes.NewReader(internalList(entries...)))
	if err != nil {
		return ListUsed{}, err
	}
	if len(res.Problems) > 0 {
		return ListUsed{}, fmt.Errorf("internal list: line %d: %s", res.Problems[0].Line, res.Problems[0].Message)
	}
	return p.importVersion(ctx, res, "internal-list-demo.csv")
}

// importVersion stores a parsed list file as a list version.
func (p *play) importVersion(ctx context.Context, res *lists.Result, path string) (ListUsed, error) {
	v, _, err := p.db.ImportListVersion(ctx, screening.ListImport(res, path))
	if err != nil {
		return ListUsed{}, err
	}
	return listUsed(v), nil
}

func listUsed(v *tollgate.ListVersion) ListUsed {
	u := ListUsed{Source: v.Source, File: v.FileName, Entities: v.EntityCount}
	if !v.Published.IsZero() {
		u.Published = v.Published.Format(time.DateOnly)
	}
	return u
}
