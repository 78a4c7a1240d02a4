-- tollgate schema 0013 (SQLite): the lab review the H200 rule's sixth
-- certification asks for (regime.md §3, §9), and US shipments to end-use
-- customers, the 50% cap's denominator.
-- - A lab report states how many of its units the lab examined and its
--   sampling plan. Reports recorded before carry 0 and '': they state no
--   plan, fail the agency's minimum and cover no export.
-- - An export names the review that covers exactly its units and that
--   review's test time, which the shipment must follow within the agency's
--   maximum age. Reservations made before carry none and cannot ship: void
--   them and reserve again under a review of their units.
-- - An organization may name its ultimate parent (a lab must share none
--   with the exporter or the consignee).
-- - A license condition may tighten the agency's lab tolerance (0: no).
-- - A US shipment records its end use and its customer's ultimate parent.
--   Shipments recorded before carry '' for both: they still count, and
--   the report shows them as of an unstated end use.

ALTER TABLE lab_reports ADD COLUMN examined INTEGER NOT NULL DEFAULT 0;
ALTER TABLE lab_reports ADD COLUMN sampling_plan TEXT NOT NULL DEFAULT '';

ALTER TABLE exports ADD COLUMN lab_report_id TEXT REFERENCES lab_reports (id);
ALTER TABLE exports ADD COLUMN reviewed_at TEXT;
CREATE INDEX exports_lab_report_idx ON exports (lab_report_id) WHERE lab_report_id IS NOT NULL;

ALTER TABLE orgs ADD COLUMN ultimate_parent TEXT NOT NULL DEFAULT '';

ALTER TABLE license_conditions ADD COLUMN lab_tolerance_bp INTEGER NOT NULL DEFAULT 0;

ALTER TABLE us_shipments ADD COLUMN end_use TEXT NOT NULL DEFAULT '';
ALTER TABLE us_shipments ADD COLUMN customer_ultimate_parent TEXT NOT NULL DEFAULT '';
