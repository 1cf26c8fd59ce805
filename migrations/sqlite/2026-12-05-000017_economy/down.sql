DROP TABLE economic_target;
DROP TABLE economy_years;
