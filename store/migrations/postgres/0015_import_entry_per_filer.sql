-- tollgate schema 0015 (PostgreSQL): an import entry line is unique within
-- the organization that filed it (importer_org_id), no longer across all
-- of them. CBP issues entry numbers per filer, and a global unique let a
-- broker learn, from a 409, that another tenant had recorded an entry
-- number (issue 17 §2).
ALTER TABLE import_entries DROP CONSTRAINT import_entries_entry_number_line_key;
ALTER TABLE import_entries ADD CONSTRAINT import_entries_importer_entry_line_key UNIQUE (importer_org_id, entry_number, line);
