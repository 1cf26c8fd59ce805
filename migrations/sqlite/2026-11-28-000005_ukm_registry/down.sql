DROP TABLE ukm_yearly_figures;
DROP TABLE ukm;
DROP TABLE persons;
DROP TABLE size_thresholds;
