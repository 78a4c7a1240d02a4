-- tollgate schema 0014 (PostgreSQL): the appeal levels after the Operating
-- Committee (EO 12981 §5; regime.md §9). An escalated case's decision waits
-- in 'appeal_window' while a dissenting agency may appeal it, and the case
-- is 'appealed' while ACEP, EARB or the President decides. The appeals
-- themselves live in the application's JSON document.
ALTER TABLE applications DROP CONSTRAINT applications_state_check;
ALTER TABLE applications ADD CONSTRAINT applications_state_check CHECK (state IN ('draft', 'submitted', 'under_review',
	'info_requested', 'referred', 'escalated', 'appeal_window', 'appealed', 'approved', 'approved_in_part', 'denied',
	'returned_without_action', 'withdrawn'));
