-- The UKM search (`q`) finds names by the start of their words (klinik_domain::name_search): each
-- name's tails that begin at a word, and the NIB, are keys here. A search is one range of the
-- keys' index, read in the index's order (a search's default order, `match`: the name from the
-- matched word on, then the name) without the table: its first page is the range's first 20
-- keys, its count stops at the 1,001st. The copy of the name serves that order and the top-N
-- sort of `sort=business_name`. The trigram index answered "part of the name" by fetching and
-- sorting every match from the table, twice a page: 51 searches a second at 1,000,000 UKM
-- (bench/RESULTS.md). `word` compares byte by byte so that a range is exactly the keys that
-- begin with the term.
CREATE TABLE ukm_name_words (
    ukm_id BIGINT NOT NULL REFERENCES ukm (id) ON DELETE CASCADE,
    word TEXT COLLATE "C" NOT NULL,
    business_name TEXT NOT NULL,
    archived BOOLEAN NOT NULL,
    PRIMARY KEY (ukm_id, word)
);
CREATE INDEX ukm_name_words_word_idx ON ukm_name_words (word, business_name, ukm_id)
    INCLUDE (archived);
DROP INDEX ukm_business_name_trgm_idx;

-- Work the application does once, at its next start, after a migration (the keys of the UKM
-- already registered are cut by the application, not by SQL). A row leaves in the transaction
-- that did the work.
CREATE TABLE pending_backfills (
    name TEXT PRIMARY KEY
);
INSERT INTO pending_backfills (name) VALUES ('ukm_name_words');
