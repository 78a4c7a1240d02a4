package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"tollgate"
	"tollgate/catalog"
	"tollgate/licensing"
	"tollgate/store"
)

// refKind is what a command-line reference names.
type refKind int

const (
	refOrg         refKind = iota // an organization: its id or its name
	refProduct                    // a chip of the catalog: a model or alias
	refLicense                    // a license: its id or number (D000001)
	refParty                      // a party: its id
	refOrder                      // an order: its id
	refApplication                // an application: its id or control number (Z000001)
)

// ref is a reference given on the command line to a record that must
// exist. Every command resolves its references through resolveRefs, so a
// reference to nothing is an error naming the flag and the value (exit 1)
// in every command, never an empty answer.
type ref struct {
	flag string           // "--exporter", or "PRODUCT" for an argument
	to   *string          // the value given; replaced by the id (or product key)
	kind refKind          // what it names
	org  tollgate.OrgKind // for refOrg: the kind the organization must be ("" any)
}

// orgRef, productRef, licenseRef, partyRef and orderRef build refs.
func orgRef(flag string, to *string, kind tollgate.OrgKind) ref {
	return ref{flag: flag, to: to, kind: refOrg, org: kind}
}
func productRef(flag string, to *string) ref { return ref{flag: flag, to: to, kind: refProduct} }
func licenseRef(flag string, to *string) ref { return ref{flag: flag, to: to, kind: refLicense} }
func partyRef(flag string, to *string) ref   { return ref{flag: flag, to: to, kind: refParty} }
func orderRef(flag string, to *string) ref   { return ref{flag: flag, to: to, kind: refOrder} }
func applicationRef(flag string, to *string) ref {
	return ref{flag: flag, to: to, kind: refApplication}
}

// resolveRefs resolves each reference whose value is not empty (an empty
// one is an optional filter left out; required flags are checked before).
func resolveRefs(ctx context.Context, db *store.DB, refs []ref) error {
	for _, r := range refs {
		if *r.to == "" {
			continue
		}
		var id string
		var err error
		switch r.kind {
		case refOrg:
			id, err = resolveOrg(ctx, db, r.flag, *r.to, r.org)
		case refProduct:
			id, err = resolveProduct(r.flag, *r.to)
		case refLicense:
			id, err = resolveLicense(ctx, db, r.flag, *r.to)
		case refParty:
			id, err = resolveParty(ctx, db, r.flag, *r.to)
		case refOrder:
			id, err = resolveOrder(ctx, db, r.flag, *r.to)
		case refApplication:
			id, err = resolveApplication(ctx, db, r.flag, *r.to)
		}
		if err != nil {
			return err
		}
		*r.to = id
	}
	return nil
}

// resolveOrg finds the organization ref names: an id, else a name. A name
// matches an organization whose name equals it or begins with it word for
// word, ignoring case and punctuation ("NVIDIA" and "nvidia corp" name
// "Nvidia Corporation"); it must name exactly one organization of the kind
// wanted. An id naming an organization of another kind is refused.
func resolveOrg(ctx context.Context, db *store.DB, flag, ref string, kind tollgate.OrgKind) (string, error) {
	what := "organization"
	if kind != "" {
		what = string(kind) + " organization"
	}
	if o, err := db.FindOrgByID(ctx, ref); err == nil {
		if kind != "" && o.Kind != kind {
			return "", tollgate.Errorf(tollgate.EINVALID, "%s: %s (%s) is %s %s, not %s %s", flag, o.Name, o.ID,
				article(string(o.Kind)), o.Kind, article(string(kind)), kind)
		}
		return o.ID, nil
	} else if tollgate.ErrorCode(err) != tollgate.ENOTFOUND {
		return "", fmt.Errorf("%s: %w", flag, err)
	}
	var all []*tollgate.Org
	for cursor := ""; ; {
		orgs, next, err := db.FindOrgs(ctx, tollgate.OrgFilter{Kind: kind, Cursor: cursor, Limit: tollgate.MaxPageLimit})
		if err != nil {
			return "", fmt.Errorf("%s: %w", flag, err)
		}
		all = append(all, orgs...)
		if cursor = next; cursor == "" {
			break
		}
	}
	want := nameWords(ref)
	var exact, prefix []*tollgate.Org
	for _, o := range all {
		words := nameWords(o.Name)
		switch {
		case len(want) == 0:
		case slices.Equal(words, want):
			exact = append(exact, o)
		case len(words) > len(want) && slices.Equal(words[:len(want)], want):
			prefix = append(prefix, o)
		}
	}
	matches := exact
	if len(matches) == 0 {
		matches = prefix
	}
	switch len(matches) {
	case 1:
		return matches[0].ID, nil
	case 0:
		return "", tollgate.Errorf(tollgate.ENOTFOUND, "%s: no %s has the id or name %q (tollgate orgs lists them)", flag, what, ref)
	}
	names := make([]string, len(matches))
	for i, o := range matches {
		names[i] = fmt.Sprintf("%s (%s)", o.Name, o.ID)
	}
	return "", tollgate.Errorf(tollgate.EINVALID, "%s: %q names %d organizations: %s; give the id", flag, ref, len(matches), strings.Join(names, ", "))
}

// nameWords splits a name into lower-case words of letters and digits.
func nameWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// article returns "an" before a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// resolveProduct checks that ref names a chip of the catalog (a model or
// an alias, with a "did you mean" when it does not) and returns the
// product's identity, the key records are filed under: the product key of
// the catalog's model, as shipping counts it ("h200" is "H200 SXM").
func resolveProduct(flag, ref string) (string, error) {
	chip, err := catalog.Default().Lookup(ref)
	if err != nil {
		msg := tollgate.ErrorMessage(err)
		if te := (*tollgate.Error)(nil); errors.As(err, &te) {
			msg = te.Message // without the field's name: the flag names it
		}
		return "", tollgate.Errorf(tollgate.ENOTFOUND, "%s: %s", flag, msg)
	}
	return tollgate.ProductKey(chip.Model), nil
}

// resolveLicense finds a license by id or number and returns its id.
func resolveLicense(ctx context.Context, db *store.DB, flag, ref string) (string, error) {
	var id string
	err := db.View(ctx, func(tx *store.Tx) error {
		var sl *store.StoredLicense
		var err error
		if licensing.ValidLicenseNumber(ref) {
			sl, err = tx.LicenseByNumber(ctx, ref)
		} else {
			sl, err = tx.License(ctx, ref)
		}
		if err == nil {
			id = sl.ID
		}
		return err
	})
	return id, refError(flag, "license", ref, err)
}

// resolveApplication finds an application by id or control number and
// returns its id.
func resolveApplication(ctx context.Context, db *store.DB, flag, ref string) (string, error) {
	var id string
	err := db.View(ctx, func(tx *store.Tx) error {
		var sa *store.StoredApplication
		var err error
		if licensing.ValidLicenseNumber(ref) { // the same shape: a letter and six digits
			sa, err = tx.ApplicationByControlNumber(ctx, ref)
		} else {
			sa, err = tx.Application(ctx, ref)
		}
		if err == nil {
			id = sa.ID
		}
		return err
	})
	return id, refError(flag, "application", ref, err)
}

// resolveParty finds a party by id.
func resolveParty(ctx context.Context, db *store.DB, flag, ref string) (string, error) {
	p, err := db.FindPartyByID(ctx, ref)
	if err != nil {
		return "", refError(flag, "party", ref, err)
	}
	return p.ID, nil
}

// resolveOrder finds an order by id.
func resolveOrder(ctx context.Context, db *store.DB, flag, ref string) (string, error) {
	o, _, err := db.FindOrderByID(ctx, ref)
	if err != nil {
		return "", refError(flag, "order", ref, err)
	}
	return o.ID, nil
}

// refError turns a lookup's ENOTFOUND into one naming the flag and the
// value; any other error is wrapped with the flag.
func refError(flag, what, ref string, err error) error {
	switch {
	case err == nil:
		return nil
	case tollgate.ErrorCode(err) == tollgate.ENOTFOUND:
		return tollgate.Errorf(tollgate.ENOTFOUND, "%s: no %s %q", flag, what, ref)
	}
	return fmt.Errorf("%s: %w", flag, err)
}
