-- tollgate schema 0007 (SQLite): the serial lookups lead with the serial.
-- Reservations find the imports, lab reports and exports of given serials
-- of an exporter's product. With (exporter_org_id, product, serial)
-- indexes a planner whose statistics predate the rows (a bulk load, a
-- young table) may probe by exporter and product alone and filter every
-- serial of the product: thousands of rows for each reservation. Indexes
-- that lead with the serial leave it no such plan.

DROP INDEX lab_report_serials_unit_idx;
CREATE INDEX lab_report_serials_serial_idx ON lab_report_serials (serial, exporter_org_id, product);

DROP INDEX export_serials_unit_idx;
CREATE INDEX export_serials_serial_idx ON export_serials (serial, exporter_org_id, product);

CREATE INDEX import_serials_serial_idx ON import_serials (serial, exporter_org_id, product);
