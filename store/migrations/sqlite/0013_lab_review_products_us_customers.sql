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
-- - Stored product strings take the catalog's product identity (below).
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

-- Product identity. Caps, licenses and orders count a product under the
-- catalog's identity (the product key of its model: "H200", "h200" and
-- "H200 SXM5" are all "H200 SXM"). Stored product strings that name a
-- catalog chip (its model or an alias, with or without the vendor, compared
-- without case, spaces or the punctuation - _ . / ( ) ,) take its
-- identity, from the catalog as it stood at this migration. Strings that
-- name no catalog chip are left as they are: shipping refuses new records
-- for them. Counters of names merged into one product are summed. A serial
-- imported under two names of one product, or a license with items under
-- two names of one product, would collide: those rows keep their old name
-- (and count apart) for an operator to resolve.
CREATE TABLE product_identities_0013 (name_key TEXT PRIMARY KEY, identity TEXT NOT NULL);
INSERT INTO product_identities_0013 (name_key, identity) VALUES
	('910b', 'ASCEND 910B'),
	('910c', 'ASCEND 910C'),
	('a100', 'A100 SXM'),
	('a10080gb', 'A100 SXM'),
	('a100sxm', 'A100 SXM'),
	('a800', 'A800 SXM'),
	('a800sxm', 'A800 SXM'),
	('amdinstinctmi300x', 'INSTINCT MI300X'),
	('amdinstinctmi325x', 'INSTINCT MI325X'),
	('amdmi300x', 'INSTINCT MI300X'),
	('amdmi325x', 'INSTINCT MI325X'),
	('ascend910b', 'ASCEND 910B'),
	('ascend910c', 'ASCEND 910C'),
	('b200', 'B200 (HGX)'),
	('b200hgx', 'B200 (HGX)'),
	('birenbr100', 'BR100'),
	('br100', 'BR100'),
	('h100', 'H100 SXM'),
	('h100sxm', 'H100 SXM'),
	('h100sxm5', 'H100 SXM'),
	('h20', 'H20'),
	('h200', 'H200 SXM'),
	('h200sxm', 'H200 SXM'),
	('h200sxm5', 'H200 SXM'),
	('h800', 'H800 SXM'),
	('h800sxm', 'H800 SXM'),
	('hgxb200', 'B200 (HGX)'),
	('hgxh20', 'H20'),
	('huawei910b', 'ASCEND 910B'),
	('huawei910c', 'ASCEND 910C'),
	('huaweiascend910b', 'ASCEND 910B'),
	('huaweiascend910c', 'ASCEND 910C'),
	('instinctmi300x', 'INSTINCT MI300X'),
	('instinctmi325x', 'INSTINCT MI325X'),
	('l20', 'L20'),
	('mi300x', 'INSTINCT MI300X'),
	('mi325x', 'INSTINCT MI325X'),
	('moorethreadsmtts4000', 'MTT S4000'),
	('moorethreadss4000', 'MTT S4000'),
	('mtts4000', 'MTT S4000'),
	('nvidiaa100', 'A100 SXM'),
	('nvidiaa10080gb', 'A100 SXM'),
	('nvidiaa100sxm', 'A100 SXM'),
	('nvidiaa800', 'A800 SXM'),
	('nvidiaa800sxm', 'A800 SXM'),
	('nvidiab200', 'B200 (HGX)'),
	('nvidiab200hgx', 'B200 (HGX)'),
	('nvidiah100', 'H100 SXM'),
	('nvidiah100sxm', 'H100 SXM'),
	('nvidiah100sxm5', 'H100 SXM'),
	('nvidiah20', 'H20'),
	('nvidiah200', 'H200 SXM'),
	('nvidiah200sxm', 'H200 SXM'),
	('nvidiah200sxm5', 'H200 SXM'),
	('nvidiah800', 'H800 SXM'),
	('nvidiah800sxm', 'H800 SXM'),
	('nvidiahgxb200', 'B200 (HGX)'),
	('nvidiahgxh20', 'H20'),
	('nvidial20', 'L20'),
	('s4000', 'MTT S4000');
UPDATE us_shipments SET product = (SELECT m.identity FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(us_shipments.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')))
	WHERE EXISTS (SELECT 1 FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(us_shipments.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND m.identity <> us_shipments.product);
UPDATE import_entries SET product = (SELECT m.identity FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(import_entries.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')))
	WHERE EXISTS (SELECT 1 FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(import_entries.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND m.identity <> import_entries.product);
UPDATE lab_reports SET product = (SELECT m.identity FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(lab_reports.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')))
	WHERE EXISTS (SELECT 1 FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(lab_reports.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND m.identity <> lab_reports.product);
UPDATE lab_report_serials SET product = (SELECT m.identity FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(lab_report_serials.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')))
	WHERE EXISTS (SELECT 1 FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(lab_report_serials.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND m.identity <> lab_report_serials.product);
UPDATE orders SET product = (SELECT m.identity FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(orders.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')))
	WHERE EXISTS (SELECT 1 FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(orders.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND m.identity <> orders.product);
UPDATE exports SET product = (SELECT m.identity FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(exports.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')))
	WHERE EXISTS (SELECT 1 FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(exports.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND m.identity <> exports.product);
UPDATE export_serials SET product = (SELECT m.identity FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(export_serials.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')))
	WHERE EXISTS (SELECT 1 FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(export_serials.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND m.identity <> export_serials.product);
UPDATE import_serials SET product = (SELECT m.identity FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(import_serials.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')))
	WHERE EXISTS (SELECT 1 FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(import_serials.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND m.identity <> import_serials.product)
	AND NOT EXISTS (SELECT 1 FROM import_serials o, product_identities_0013 m
		WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(import_serials.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND o.exporter_org_id = import_serials.exporter_org_id
		AND o.serial = import_serials.serial AND o.product <> import_serials.product AND lower(replace(replace(replace(replace(replace(replace(replace(replace(o.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) IN
			(SELECT k.name_key FROM product_identities_0013 k WHERE k.identity = m.identity));
UPDATE license_items SET product = (SELECT m.identity FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(license_items.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')))
	WHERE EXISTS (SELECT 1 FROM product_identities_0013 m WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(license_items.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND m.identity <> license_items.product)
	AND NOT EXISTS (SELECT 1 FROM license_items o, product_identities_0013 m
		WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(license_items.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND o.license_id = license_items.license_id
		AND o.product <> license_items.product AND lower(replace(replace(replace(replace(replace(replace(replace(replace(o.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) IN
			(SELECT k.name_key FROM product_identities_0013 k WHERE k.identity = m.identity));
INSERT INTO cap_locks (exporter_org_id, product, us_units)
	SELECT c.exporter_org_id, m.identity, sum(c.us_units) FROM cap_locks c JOIN product_identities_0013 m
		ON m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(c.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND m.identity <> c.product
	WHERE true GROUP BY c.exporter_org_id, m.identity
	ON CONFLICT (exporter_org_id, product) DO UPDATE SET us_units = cap_locks.us_units + excluded.us_units;
DELETE FROM cap_locks WHERE EXISTS (SELECT 1 FROM product_identities_0013 m
	WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(cap_locks.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND m.identity <> cap_locks.product);
INSERT INTO export_totals (exporter_org_id, product, destination, reserved_units, shipped_units)
	SELECT x.exporter_org_id, m.identity, x.destination, sum(x.reserved_units), sum(x.shipped_units)
	FROM export_totals x JOIN product_identities_0013 m ON m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(x.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND m.identity <> x.product
	WHERE true GROUP BY x.exporter_org_id, m.identity, x.destination
	ON CONFLICT (exporter_org_id, product, destination) DO UPDATE SET
		reserved_units = export_totals.reserved_units + excluded.reserved_units,
		shipped_units = export_totals.shipped_units + excluded.shipped_units;
DELETE FROM export_totals WHERE EXISTS (SELECT 1 FROM product_identities_0013 m
	WHERE m.name_key = lower(replace(replace(replace(replace(replace(replace(replace(replace(export_totals.product, ' ', ''), '-', ''), '_', ''), '.', ''), '/', ''), '(', ''), ')', ''), ',', '')) AND m.identity <> export_totals.product);
DROP TABLE product_identities_0013;
