-- The city's PDRB can be imported from a spreadsheet too (app/src/economy/import.rs).
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('cooperatives', 'annual_reports', 'ukm', 'yearly_figures', 'economy_years'));
