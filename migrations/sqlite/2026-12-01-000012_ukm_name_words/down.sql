DROP TABLE pending_backfills;
DROP TABLE ukm_name_words;
