-- The city's economy as reference data (app/src/economy/): each year's PDRB as published, with
-- the official share of cooperatives and UKM in it where one is published, and the share the
-- office aims for. Shares are basis points (25.5 % = 2550).
CREATE TABLE economy_years (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year INTEGER NOT NULL UNIQUE,
    pdrb_current_prices BIGINT NOT NULL CHECK (pdrb_current_prices > 0),
    pdrb_constant_prices BIGINT NOT NULL CHECK (pdrb_constant_prices > 0),
    pdrb_source TEXT NOT NULL,
    pdrb_status TEXT NOT NULL CHECK (pdrb_status IN ('preliminary', 'final')),
    published_share INTEGER CHECK (published_share BETWEEN 1 AND 10000),
    published_share_scope TEXT CHECK (published_share_scope IN ('kumkm', 'umkm')),
    published_share_source TEXT,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- A published share comes with what it measures and where it was published.
    CHECK ((published_share IS NULL) = (published_share_scope IS NULL)
        AND (published_share IS NULL) = (published_share_source IS NULL))
);

-- One row: the deployment's target, editable by an admin. The article's: 35 %.
CREATE TABLE economic_target (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    share INTEGER NOT NULL CHECK (share BETWEEN 1 AND 10000),
    target_year INTEGER NOT NULL,
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO economic_target (id, share, target_year, version, updated_at)
VALUES (1, 3500, 2024, 1, '2026-12-05 00:00:00');
