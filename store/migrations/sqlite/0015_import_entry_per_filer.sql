-- tollgate schema 0015 (SQLite): an import entry line is unique within the
-- organization that filed it (importer_org_id), no longer across all of
-- them. CBP issues entry numbers per filer, and a global unique let a
-- broker learn, from a 409, that another tenant had recorded an entry
-- number (issue 17 §2).
--
-- SQLite cannot drop a table's UNIQUE constraint, so import_entries is
-- rebuilt as 0009 rebuilt users: import_serials' foreign keys are counted
-- while the table is gone and settled by the copy.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE import_entries_0015 (
	id                    TEXT PRIMARY KEY,
	importer_org_id       TEXT NOT NULL,
	exporter_org_id       TEXT NOT NULL,
	importer_of_record    TEXT NOT NULL,
	entry_number          TEXT NOT NULL,
	line                  INTEGER NOT NULL,
	entry_date            TEXT NOT NULL,
	product               TEXT NOT NULL,
	lot                   TEXT NOT NULL,
	count                 INTEGER NOT NULL,
	country_of_origin     TEXT NOT NULL,
	hts                   TEXT NOT NULL,
	entered_value_cents   INTEGER NOT NULL,
	exemption             TEXT NOT NULL,
	end_use_certification TEXT NOT NULL,
	heading               TEXT NOT NULL,
	band                  INTEGER NOT NULL,
	rate_bp               INTEGER NOT NULL,
	duty_cents            INTEGER NOT NULL,
	bound                 INTEGER NOT NULL,
	duty_status           TEXT NOT NULL,
	payment_reference     TEXT NOT NULL,
	paid_on               TEXT,
	recorded_by           TEXT NOT NULL,
	recorded_at           TEXT NOT NULL
) STRICT;
INSERT INTO import_entries_0015 SELECT id, importer_org_id, exporter_org_id, importer_of_record, entry_number, line,
	entry_date, product, lot, count, country_of_origin, hts, entered_value_cents, exemption, end_use_certification,
	heading, band, rate_bp, duty_cents, bound, duty_status, payment_reference, paid_on, recorded_by, recorded_at
	FROM import_entries;
DROP TABLE import_entries;
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
	UNIQUE (importer_org_id, entry_number, line)
) STRICT;
INSERT INTO import_entries SELECT * FROM import_entries_0015;
DROP TABLE import_entries_0015;
CREATE INDEX import_entries_exporter_idx ON import_entries (exporter_org_id, id);
CREATE INDEX import_entries_importer_idx ON import_entries (importer_org_id, id);
CREATE INDEX import_entries_lot_idx ON import_entries (exporter_org_id, product, lot) WHERE lot <> '';
PRAGMA defer_foreign_keys = OFF;
