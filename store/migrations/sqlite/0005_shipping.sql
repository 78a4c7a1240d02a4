-- tollgate schema 0005 (SQLite): moving the chips. US shipments (the 50%
-- cap's denominator), import entries with their Section 232 line and their
-- serial numbers, lab keys and signed lab reports, orders from Chinese
-- customers with their lifecycle and PRC history, and exports in two
-- phases (reserved, then shipped, voided or expired).
--
-- Limited quantities are counters, changed in the transaction that reserves,
-- ships, voids or expires an export, so that a reservation reads a handful
-- of rows however many exports came before it: the license's items
-- (license_items.reserved_* and shipped_*, migration 0004), the order's
-- units (orders.reserved_units, shipped_units), the exporter's units per
-- product and destination (export_totals) and its US units (cap_locks).
-- CHECK constraints keep every counter within its limit, so that even a
-- bug cannot over-allocate a license or an order. Reservations past their
-- expiry are released (state expired, counters decremented) by the sweep
-- and, lazily, by the next reservation of the same exporter and product.
--
-- cap_locks has one row per exporter and product: every transaction that
-- changes the cap's numerator or denominator locks it (PostgreSQL: FOR
-- UPDATE, after the license row and before the order row; SQLite
-- serialises writers anyway).

CREATE TABLE cap_locks (
	exporter_org_id TEXT NOT NULL REFERENCES orgs (id),
	product         TEXT NOT NULL,
	us_units        INTEGER NOT NULL,
	PRIMARY KEY (exporter_org_id, product)
) STRICT;

CREATE TABLE us_shipments (
	id              TEXT PRIMARY KEY,
	exporter_org_id TEXT NOT NULL REFERENCES orgs (id),
	product         TEXT NOT NULL,
	units           INTEGER NOT NULL CHECK (units <> 0),
	shipped_on      TEXT NOT NULL,
	customer        TEXT NOT NULL,
	reference       TEXT NOT NULL,
	reverses        TEXT REFERENCES us_shipments (id),
	reason          TEXT NOT NULL,
	recorded_by     TEXT NOT NULL,
	recorded_at     TEXT NOT NULL
) STRICT;
CREATE INDEX us_shipments_exporter_idx ON us_shipments (exporter_org_id, product, id);
CREATE INDEX us_shipments_reverses_idx ON us_shipments (reverses) WHERE reverses IS NOT NULL;

CREATE TABLE import_entries (
	id                    TEXT PRIMARY KEY,
	importer_org_id       TEXT NOT NULL REFERENCES orgs (id),
	exporter_org_id       TEXT NOT NULL REFERENCES orgs (id),
	importer_of_record    TEXT NOT NULL,
	entry_number          TEXT NOT NULL,
	line                  INTEGER NOT NULL,
	entry_date            TEXT NOT NULL,
	product               TEXT NOT NULL,
	lot                   TEXT NOT NULL,
	count                 INTEGER NOT NULL CHECK (count > 0),
	country_of_origin     TEXT NOT NULL,
	hts                   TEXT NOT NULL,
	entered_value_cents   INTEGER NOT NULL CHECK (entered_value_cents > 0),
	exemption             TEXT NOT NULL,
	end_use_certification TEXT NOT NULL,
	heading               TEXT NOT NULL,
	band                  INTEGER NOT NULL,
	rate_bp               INTEGER NOT NULL,
	duty_cents            INTEGER NOT NULL CHECK (duty_cents >= 0),
	bound                 INTEGER NOT NULL CHECK (bound IN (0, 1)),
	duty_status           TEXT NOT NULL CHECK (duty_status IN ('none', 'owed', 'paid')),
	payment_reference     TEXT NOT NULL,
	paid_on               TEXT,
	recorded_by           TEXT NOT NULL,
	recorded_at           TEXT NOT NULL,
	UNIQUE (entry_number, line)
) STRICT;
CREATE INDEX import_entries_exporter_idx ON import_entries (exporter_org_id, id);
CREATE INDEX import_entries_importer_idx ON import_entries (importer_org_id, id);
CREATE INDEX import_entries_lot_idx ON import_entries (exporter_org_id, product, lot) WHERE lot <> '';

CREATE TABLE import_serials (
	exporter_org_id TEXT NOT NULL,
	product         TEXT NOT NULL,
	serial          TEXT NOT NULL,
	import_id       TEXT NOT NULL REFERENCES import_entries (id),
	position        INTEGER NOT NULL,
	PRIMARY KEY (exporter_org_id, product, serial)
) STRICT;
CREATE UNIQUE INDEX import_serials_entry_idx ON import_serials (import_id, position);

CREATE TABLE lab_keys (
	id         TEXT PRIMARY KEY,
	lab_org_id TEXT NOT NULL REFERENCES orgs (id),
	public_key BLOB NOT NULL CHECK (length(public_key) = 32),
	created_at TEXT NOT NULL,
	revoked_at TEXT
) STRICT;
CREATE INDEX lab_keys_lab_idx ON lab_keys (lab_org_id, id);

CREATE TABLE lab_reports (
	id                           TEXT PRIMARY KEY,
	number                       TEXT NOT NULL,
	lab_org_id                   TEXT NOT NULL REFERENCES orgs (id),
	technician_user_id           TEXT NOT NULL,
	exporter_org_id              TEXT NOT NULL REFERENCES orgs (id),
	application_id               TEXT NOT NULL REFERENCES applications (id),
	product                      TEXT NOT NULL,
	lot                          TEXT NOT NULL,
	count                        INTEGER NOT NULL CHECK (count > 0),
	measured                     TEXT NOT NULL,
	measured_dram_bandwidth_gbps REAL NOT NULL,
	method                       TEXT NOT NULL,
	tolerance_bp                 INTEGER NOT NULL,
	tested_at                    TEXT NOT NULL,
	measured_tpp                 REAL NOT NULL,
	spec_tpp                     REAL NOT NULL,
	spec_dram_bandwidth_gbps     REAL NOT NULL,
	pass                         INTEGER NOT NULL CHECK (pass IN (0, 1)),
	findings                     TEXT NOT NULL,
	key_id                       TEXT NOT NULL REFERENCES lab_keys (id),
	signature                    BLOB NOT NULL CHECK (length(signature) = 64),
	recorded_by                  TEXT NOT NULL,
	recorded_at                  TEXT NOT NULL,
	UNIQUE (lab_org_id, number)
) STRICT;
CREATE INDEX lab_reports_exporter_idx ON lab_reports (exporter_org_id, id);
CREATE INDEX lab_reports_lab_idx ON lab_reports (lab_org_id, id);
CREATE INDEX lab_reports_lot_idx ON lab_reports (exporter_org_id, product, lot) WHERE lot <> '';

CREATE TABLE lab_report_serials (
	report_id       TEXT NOT NULL REFERENCES lab_reports (id),
	position        INTEGER NOT NULL,
	exporter_org_id TEXT NOT NULL,
	product         TEXT NOT NULL,
	serial          TEXT NOT NULL,
	PRIMARY KEY (report_id, position)
) STRICT;
CREATE INDEX lab_report_serials_unit_idx ON lab_report_serials (exporter_org_id, product, serial);

CREATE TABLE orders (
	id                TEXT PRIMARY KEY,
	exporter_org_id   TEXT NOT NULL REFERENCES orgs (id),
	customer_party_id TEXT NOT NULL REFERENCES parties (id),
	reference         TEXT NOT NULL,
	product           TEXT NOT NULL,
	quantity          INTEGER NOT NULL CHECK (quantity > 0),
	unit_price_cents  INTEGER NOT NULL CHECK (unit_price_cents > 0),
	destination       TEXT NOT NULL,
	state             TEXT NOT NULL CHECK (state IN ('drafted', 'licensed', 'shipped', 'delivered', 'cancelled')),
	license_id        TEXT REFERENCES licenses (id),
	prc_status        TEXT NOT NULL CHECK (prc_status IN ('unknown', 'approved', 'restricted', 'blocked_at_customs')),
	cancel_reason     TEXT,
	cancelled_at      TEXT,
	reserved_units    INTEGER NOT NULL CHECK (reserved_units >= 0),
	shipped_units     INTEGER NOT NULL CHECK (shipped_units >= 0),
	created_by        TEXT NOT NULL,
	created_at        TEXT NOT NULL,
	updated_at        TEXT NOT NULL,
	UNIQUE (exporter_org_id, reference),
	CHECK (reserved_units + shipped_units <= quantity)
) STRICT;
CREATE INDEX orders_exporter_idx ON orders (exporter_org_id, id);

CREATE TABLE order_changes (
	order_id   TEXT NOT NULL REFERENCES orders (id),
	seq        INTEGER NOT NULL,
	event      TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state   TEXT NOT NULL,
	note       TEXT NOT NULL,
	actor      TEXT NOT NULL,
	at         TEXT NOT NULL,
	PRIMARY KEY (order_id, seq)
) STRICT;

CREATE TABLE order_prc_changes (
	order_id    TEXT NOT NULL REFERENCES orders (id),
	seq         INTEGER NOT NULL,
	status      TEXT NOT NULL,
	reference   TEXT NOT NULL,
	date        TEXT,
	note        TEXT NOT NULL,
	recorded_by TEXT NOT NULL,
	at          TEXT NOT NULL,
	PRIMARY KEY (order_id, seq)
) STRICT;

CREATE TABLE exports (
	id               TEXT PRIMARY KEY,
	exporter_org_id  TEXT NOT NULL REFERENCES orgs (id),
	license_id       TEXT NOT NULL REFERENCES licenses (id),
	license_number   TEXT NOT NULL,
	order_id         TEXT NOT NULL REFERENCES orders (id),
	product          TEXT NOT NULL,
	lot              TEXT NOT NULL,
	count            INTEGER NOT NULL CHECK (count > 0),
	value_cents      INTEGER NOT NULL CHECK (value_cents > 0),
	destination      TEXT NOT NULL,
	state            TEXT NOT NULL CHECK (state IN ('reserved', 'shipped', 'voided', 'expired')),
	reserved_by      TEXT NOT NULL,
	reserved_at      TEXT NOT NULL,
	expires_at       TEXT NOT NULL,
	filing_reference TEXT NOT NULL,
	exported_on      TEXT,
	shipped_by       TEXT NOT NULL,
	shipped_at       TEXT,
	void_reason      TEXT NOT NULL,
	released_by      TEXT NOT NULL,
	released_at      TEXT
) STRICT;
CREATE INDEX exports_exporter_idx ON exports (exporter_org_id, id);
CREATE INDEX exports_license_idx ON exports (license_id, id);
CREATE INDEX exports_order_idx ON exports (order_id, id);
CREATE INDEX exports_lot_idx ON exports (exporter_org_id, product, lot) WHERE lot <> '';
CREATE INDEX exports_reserved_product_idx ON exports (exporter_org_id, product) WHERE state = 'reserved';
CREATE INDEX exports_reserved_expiry_idx ON exports (expires_at) WHERE state = 'reserved';

CREATE TABLE export_serials (
	export_id       TEXT NOT NULL REFERENCES exports (id),
	position        INTEGER NOT NULL,
	exporter_org_id TEXT NOT NULL,
	product         TEXT NOT NULL,
	serial          TEXT NOT NULL,
	PRIMARY KEY (export_id, position)
) STRICT;
CREATE INDEX export_serials_unit_idx ON export_serials (exporter_org_id, product, serial);

CREATE TABLE export_totals (
	exporter_org_id TEXT NOT NULL REFERENCES orgs (id),
	product         TEXT NOT NULL,
	destination     TEXT NOT NULL,
	reserved_units  INTEGER NOT NULL CHECK (reserved_units >= 0),
	shipped_units   INTEGER NOT NULL CHECK (shipped_units >= 0),
	PRIMARY KEY (exporter_org_id, product, destination)
) STRICT;
