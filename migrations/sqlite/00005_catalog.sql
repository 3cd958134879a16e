-- Same version and columns as postgres/00005_catalog.sql.
-- Product catalogue (业务目录): what the account managers may put in a
-- proposal, at which list price, and how far below it they may go alone.
-- Money is integer fen; floor_rate is basis points of the list price
-- (10000 = list price, 8500 = 85 % of it).

-- +goose Up
CREATE TABLE products (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT     NOT NULL,
    name_zh      TEXT     NOT NULL,
    name_en      TEXT     NOT NULL,
    category     TEXT     NOT NULL CHECK (category IN ('voice', 'data', 'cloud', 'iot', 'messaging', 'video', 'other')),
    unit         TEXT     NOT NULL,
    monthly_fen  INTEGER  NOT NULL DEFAULT 0 CHECK (monthly_fen >= 0),
    one_time_fen INTEGER  NOT NULL DEFAULT 0 CHECK (one_time_fen >= 0),
    floor_rate   INTEGER  NOT NULL DEFAULT 10000 CHECK (floor_rate BETWEEN 0 AND 10000),
    description  TEXT     NOT NULL DEFAULT '',
    active       BOOLEAN  NOT NULL DEFAULT 1,
    sort_order   INTEGER  NOT NULL DEFAULT 0,
    version      INTEGER  NOT NULL DEFAULT 1,
    created_by   INTEGER,
    updated_by   INTEGER,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    -- A product has a price: monthly, one-time or both.
    CHECK (monthly_fen > 0 OR one_time_fen > 0)
);
CREATE UNIQUE INDEX ux_products_code ON products (code);
-- Pickers list the products on sale by category and sort order.
CREATE INDEX idx_products_active ON products (active, category, sort_order);

-- +goose Down
DROP TABLE products;
