DELETE FROM imports WHERE kind = 'economy_years';
ALTER TABLE imports DROP CONSTRAINT imports_kind_check;
ALTER TABLE imports ADD CONSTRAINT imports_kind_check
    CHECK (kind IN ('cooperatives', 'annual_reports', 'ukm', 'yearly_figures'));
