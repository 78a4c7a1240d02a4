package auth

import "tollgate"

// Short names for the roles, so that the table below reads as a table.
const (
	exporterAdmin    = tollgate.RoleExporterAdmin
	exporterOfficer  = tollgate.RoleExporterOfficer
	licensingOfficer = tollgate.RoleLicensingOfficer
	agencyReviewer   = tollgate.RoleAgencyReviewer
	labTechnician    = tollgate.RoleLabTechnician
	broker           = tollgate.RoleBroker
	auditor          = tollgate.RoleAuditor
	systemAdmin      = tollgate.RoleSystemAdmin
)

// everyone grants a permission to every role under one rule.
func everyone(r Rule) map[tollgate.Role]Rule {
	m := map[tollgate.Role]Rule{}
	for _, role := range tollgate.Roles {
		m[role] = r
	}
	return m
}

// exporters grants a permission to an exporter's admins and officers on
// their own organization's objects, and to the auditor when it is a read.
func exporters(auditorReads bool) map[tollgate.Role]Rule {
	m := map[tollgate.Role]Rule{exporterAdmin: SameOrg, exporterOfficer: SameOrg}
	if auditorReads {
		m[auditor] = ReadAll
	}
	return m
}

// policy is THE policy: for each permission (object.action), which roles
// may do it and under which ownership rule. A role absent from a row may not
// do it at all (403); a role present may do it to the objects its rule
// reaches, and any other object is not found (404).
//
// Ownership, as the API must fill it in for each object type:
//   - party, hit, shipment (US), order, export, report: OrgID = the exporter.
//   - application: OrgID = the exporter; AssignedOrgIDs = the licensing
//     agency once submitted, plus every agency it is referred to.
//   - license: OrgID = the exporter; AssignedOrgIDs = the issuing agency.
//   - import entry: OrgID = the exporter that owns the goods;
//     AssignedOrgIDs = its broker and the lab the units go to. For a write
//     (filing, paying duty) only a broker that an engagement in force on
//     the write's date reaches (package shipping, owners.go).
//   - lab report: OrgID = the exporter; AssignedOrgIDs = the lab; for a
//     write, only a lab that an engagement in force reaches.
//   - engagement: OrgID = the exporter; AssignedOrgIDs = the engaged
//     broker or lab.
//   - user, token, audit record: OrgID = the organization they belong to.
//   - organization: OrgID = itself.
//   - chips, classifications, list versions: no owner (reference data).
var policy = []Permission{
	{Name: PermPublic, Summary: "health, readiness and the OpenAPI document: no tenant data", Public: true},

	// Reference data.
	{Name: "classify.read", Summary: "classify a chip and read the chip catalog", Grants: everyone(Any)},
	{Name: "list.read", Summary: "read restricted-party list versions and entries", Grants: everyone(Any)},
	{Name: "list.write", Summary: "import a list version or add to the internal list", Grants: map[tollgate.Role]Rule{
		licensingOfficer: Any, systemAdmin: Any}},
	{Name: "screen.run", Summary: "screen names against the current lists, recording nothing", Grants: map[tollgate.Role]Rule{
		exporterAdmin: Any, exporterOfficer: Any, licensingOfficer: Any, agencyReviewer: Any, broker: Any}},

	// Organizations, users and their tokens. The directory of organizations
	// (name, kind, country) is open to every signed-in user, so that an
	// exporter can name its lab and broker.
	{Name: "org.read", Summary: "read the directory of organizations", Grants: everyone(Any)},
	{Name: "org.write", Summary: "create an organization or change its name or country", Grants: map[tollgate.Role]Rule{
		systemAdmin: Any}},
	{Name: "user.read", Summary: "read users", Grants: map[tollgate.Role]Rule{
		exporterAdmin: SameOrg, systemAdmin: Any, auditor: ReadAll}},
	{Name: "user.write", Summary: "create, change or disable users (roles as CheckRoleGrant allows)", Grants: map[tollgate.Role]Rule{
		exporterAdmin: SameOrg, systemAdmin: Any}},
	{Name: "token.read", Summary: "list API tokens (never their secrets)", Grants: map[tollgate.Role]Rule{
		exporterAdmin: SameOrg, systemAdmin: Any, auditor: ReadAll}},
	{Name: "token.write", Summary: "create or revoke API tokens", Grants: map[tollgate.Role]Rule{
		exporterAdmin: SameOrg, systemAdmin: Any}},
	{Name: "audit.read", Summary: "read audit records", Grants: map[tollgate.Role]Rule{
		exporterAdmin: SameOrg, auditor: ReadAll}},
	// A checkpoint, and every proof (which carries one), tells the log's
	// size: how much everyone has done, and when. It goes to whoever
	// verifies the log, the auditor; an exporter reads its own records.
	{Name: "checkpoint.read", Summary: "read the audit log's signed checkpoints and its inclusion and consistency proofs", Grants: map[tollgate.Role]Rule{
		auditor: ReadAll}},
	{Name: "reconcile.read", Summary: "compare every live object with its last audit record (audit reconcile)", Grants: map[tollgate.Role]Rule{
		auditor: ReadAll}},

	// An exporter's parties and their screening.
	{Name: "party.read", Summary: "read parties, their screenings and hit decisions", Grants: exporters(true)},
	{Name: "party.write", Summary: "create or change parties", Grants: exporters(false)},
	{Name: "party.screen", Summary: "screen a stored party and record the result", Grants: exporters(false)},
	{Name: "hit.decide", Summary: "decide a hit: false positive (with a reason) or true match", Grants: exporters(false)},

	// License applications and their review.
	{Name: "application.read", Summary: "read applications and their review history", Grants: map[tollgate.Role]Rule{
		exporterAdmin: SameOrg, exporterOfficer: SameOrg, licensingOfficer: Assigned, agencyReviewer: Assigned, auditor: ReadAll}},
	{Name: "application.write", Summary: "draft, change, answer for or withdraw an application", Grants: exporters(false)},
	{Name: "application.submit", Summary: "certify and submit an application", Grants: exporters(false)},
	{Name: "application.review", Summary: "act on a submitted application: accept, request information, return", Grants: map[tollgate.Role]Rule{
		licensingOfficer: Assigned}},
	{Name: "application.refer", Summary: "refer an application to Defense, State or Energy", Grants: map[tollgate.Role]Rule{
		licensingOfficer: Assigned}},
	{Name: "application.recommend", Summary: "recommend on a referred application", Grants: map[tollgate.Role]Rule{
		agencyReviewer: Assigned}},
	{Name: "application.decide", Summary: "approve (with conditions), approve in part, deny or return an application", Grants: map[tollgate.Role]Rule{
		licensingOfficer: Assigned}},

	// Licenses.
	{Name: "license.read", Summary: "read licenses, their conditions and remaining quantity and value", Grants: map[tollgate.Role]Rule{
		exporterAdmin: SameOrg, exporterOfficer: SameOrg, licensingOfficer: Assigned, auditor: ReadAll}},
	{Name: "license.write", Summary: "issue, amend, suspend or revoke a license", Grants: map[tollgate.Role]Rule{
		licensingOfficer: Assigned}},
	{Name: "license.acknowledge", Summary: "acknowledge a license's conditions", Grants: exporters(false)},

	// Engagements: an exporter's admin engages a broker for its imports or a
	// lab for its tests; both sides see them. A broker or lab writes about an
	// exporter's units only under one in force (package shipping).
	{Name: "engagement.read", Summary: "read the engagements the caller's organization is a side of", Grants: map[tollgate.Role]Rule{
		exporterAdmin: SameOrg, exporterOfficer: SameOrg, broker: Assigned, labTechnician: Assigned, auditor: ReadAll}},
	{Name: "engagement.write", Summary: "engage a broker or lab, or end an engagement", Grants: map[tollgate.Role]Rule{
		exporterAdmin: SameOrg}},

	// Moving the chips.
	{Name: "shipment.read", Summary: "read US shipments (the 50% cap's denominator)", Grants: exporters(true)},
	{Name: "shipment.write", Summary: "record US shipments and their reversals", Grants: exporters(false)},
	{Name: "import.read", Summary: "read import entries and their Section 232 duty", Grants: map[tollgate.Role]Rule{
		exporterAdmin: SameOrg, exporterOfficer: SameOrg, broker: Assigned, labTechnician: Assigned, auditor: ReadAll}},
	{Name: "import.write", Summary: "record import entries and duty payments", Grants: map[tollgate.Role]Rule{
		exporterAdmin: SameOrg, exporterOfficer: SameOrg, broker: Assigned}},
	{Name: "labreport.read", Summary: "read lab reports", Grants: map[tollgate.Role]Rule{
		exporterAdmin: SameOrg, exporterOfficer: SameOrg, labTechnician: Assigned, auditor: ReadAll}},
	{Name: "labreport.write", Summary: "record a signed lab report on assigned units", Grants: map[tollgate.Role]Rule{
		labTechnician: Assigned}},
	{Name: "export.read", Summary: "read export reservations and shipments", Grants: exporters(true)},
	{Name: "export.reserve", Summary: "reserve license quantity, value and cap for an export", Grants: exporters(false)},
	{Name: "export.ship", Summary: "ship a reserved export", Grants: exporters(false)},
	{Name: "export.void", Summary: "void a reservation, releasing what it held", Grants: exporters(false)},
	{Name: "order.read", Summary: "read orders and their PRC status", Grants: exporters(true)},
	{Name: "order.write", Summary: "create, move or cancel orders", Grants: exporters(false)},
	{Name: "report.read", Summary: "read revenue, duty, cap and cancellation reports", Grants: exporters(true)},
}

// roleOrgKinds says in which kinds of organization each role may be held;
// a role missing here may be held in any. Authorize ignores a role held in
// the wrong kind of organization, so a mistaken grant cannot, say, give an
// exporter's employee a licensing officer's powers.
var roleOrgKinds = map[tollgate.Role][]tollgate.OrgKind{
	exporterAdmin:    {tollgate.OrgExporter},
	exporterOfficer:  {tollgate.OrgExporter},
	licensingOfficer: {tollgate.OrgAgency},
	agencyReviewer:   {tollgate.OrgAgency},
	labTechnician:    {tollgate.OrgLab},
	broker:           {tollgate.OrgBroker},
	auditor:          {tollgate.OrgAuditor},
}

// grantable says which roles a holder of user.write may give, beyond
// fitting the target organization's kind. Only a system admin makes other
// admins, agency staff, labs, brokers and auditors.
var grantable = map[tollgate.Role][]tollgate.Role{
	systemAdmin:   tollgate.Roles,
	exporterAdmin: {exporterAdmin, exporterOfficer},
}
