package api

import (
	"net/http"
	"strings"

	"tollgate"
	"tollgate/classify"
)

// classifyParams are the query parameters of GET /v1/classify, named as
// the flags of `tollgate classify`.
var classifyParams = []Param{
	{Name: "chip", Type: "string", Required: true, Description: "Catalog model or alias, case-insensitive (h200, \"H200 SXM\", nvidia h200)."},
	{Name: "to", Type: "string", Description: "Destination country (ISO 3166-1 alpha-2); omit for a classification without destination."},
	{Name: "hq", Type: "string", Description: "Country where the end user or its ultimate parent is headquartered."},
	{Name: "from", Type: "string", Description: "Exporting country (default US)."},
	{Name: "as_of", Type: "date", Description: "Date whose rules apply, YYYY-MM-DD (default today, UTC)."},
	{Name: "reexport", Type: "boolean", Description: "A reexport of an item already outside the US."},
	{Name: "system", Type: "boolean", Description: "Classify a computer or assembly containing the chip (4A090)."},
	{Name: "hts", Type: "string", Description: "HTSUS code of the import (default 8473.30)."},
	{Name: "exemption", Type: "string", Description: "Section 232 end-use exemption heading, 9903.79.03 to .09."},
}

func (s *server) handleClassify(w http.ResponseWriter, r *http.Request) error {
	name := queryString(r, "chip")
	if name == "" {
		return tollgate.FieldErrorf("chip", "required; one of %s", strings.Join(s.catalog.Models(), ", "))
	}
	chip, err := s.catalog.Lookup(name)
	if tollgate.ErrorCode(err) == tollgate.ENOTFOUND {
		// The route exists; what is wrong is the parameter.
		return tollgate.FieldErrorf("chip", "%s", tollgate.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	req := classify.Request{
		Chip:      chip,
		To:        strings.ToUpper(queryString(r, "to")),
		HQ:        strings.ToUpper(queryString(r, "hq")),
		From:      strings.ToUpper(queryString(r, "from")),
		HTS:       queryString(r, "hts"),
		Exemption: queryString(r, "exemption"),
	}
	if req.AsOf, err = queryDate(r, "as_of"); err != nil {
		return err
	}
	if req.AsOf.IsZero() {
		req.AsOf = s.now().UTC()
	}
	if req.Reexport, err = queryBool(r, "reexport"); err != nil {
		return err
	}
	if req.System, err = queryBool(r, "system"); err != nil {
		return err
	}
	cls, err := s.rules.Classify(req)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, cls)
}

func (s *server) handleListChips(w http.ResponseWriter, r *http.Request) error {
	chips := s.catalog.Chips()
	return encode(w, http.StatusOK, Page[tollgate.Chip]{Items: chips})
}
