DROP INDEX ukm_updated_at_idx;
DROP TABLE change_feed;
DROP TABLE changes;
