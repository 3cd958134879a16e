-- Same version as postgres/00015_service_categories.sql: one list of
-- service categories (modules/platform/servicecat) for customer_services,
-- needs and products, the stored keys mapped to it (see there for the
-- mapping). SQLite cannot replace a CHECK constraint, so each table is
-- rebuilt: a new table with the new constraint, the rows copied with
-- their keys mapped, the old table dropped, the new one renamed and its
-- indexes made again. Nothing references these three tables by a foreign
-- key, so this runs in the migration's transaction with foreign keys on.

-- +goose Up
CREATE TABLE needs_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id     INTEGER      NOT NULL REFERENCES customers (id),
    category        TEXT NOT NULL CHECK (category IN ('voice', 'mobile', 'broadband', 'dedicated_line', 'idc_cloud', 'iot', 'industry_app', 'other')),
    description     TEXT        NOT NULL,
    priority        TEXT  NOT NULL CHECK (priority IN ('high', 'medium', 'low')),
    contact_id      INTEGER      REFERENCES contacts (id),
    status          TEXT NOT NULL CHECK (status IN ('open', 'addressed', 'closed')),
    opportunity_id  INTEGER      REFERENCES opportunities (id),
    -- The visit record it came from; no foreign key (visits is a sibling module).
    source_visit_id INTEGER,
    owner_id        INTEGER      NOT NULL REFERENCES users (id),
    version         INTEGER     NOT NULL DEFAULT 1,
    created_by      INTEGER,
    updated_by      INTEGER,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    deleted_at      DATETIME
);
INSERT INTO needs_new (id, customer_id, category, description, priority, contact_id, status, opportunity_id, source_visit_id, owner_id, version, created_by, updated_by, created_at, updated_at, deleted_at)
    SELECT id, customer_id, CASE category WHEN 'data' THEN 'dedicated_line' WHEN 'cloud' THEN 'idc_cloud' ELSE category END, description, priority, contact_id, status, opportunity_id, source_visit_id, owner_id, version, created_by, updated_by, created_at, updated_at, deleted_at FROM needs;
-- Keep AUTOINCREMENT's high-water mark, so no id is ever used twice.
DELETE FROM sqlite_sequence WHERE name = 'needs_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'needs_new', seq FROM sqlite_sequence WHERE name = 'needs';
DROP TABLE needs;
ALTER TABLE needs_new RENAME TO needs;
CREATE INDEX idx_needs_customer ON needs (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_owner_status ON needs (owner_id, status) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_status ON needs (status) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_deleted ON needs (deleted_at);

CREATE TABLE products_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT     NOT NULL,
    name_zh      TEXT     NOT NULL,
    name_en      TEXT     NOT NULL,
    category     TEXT     NOT NULL CHECK (category IN ('voice', 'mobile', 'broadband', 'dedicated_line', 'idc_cloud', 'iot', 'industry_app', 'other')),
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
INSERT INTO products_new (id, code, name_zh, name_en, category, unit, monthly_fen, one_time_fen, floor_rate, description, active, sort_order, version, created_by, updated_by, created_at, updated_at)
    SELECT id, code, name_zh, name_en, CASE category WHEN 'data' THEN 'dedicated_line' WHEN 'cloud' THEN 'idc_cloud' WHEN 'messaging' THEN 'industry_app' WHEN 'video' THEN 'industry_app' ELSE category END, unit, monthly_fen, one_time_fen, floor_rate, description, active, sort_order, version, created_by, updated_by, created_at, updated_at FROM products;
-- Keep AUTOINCREMENT's high-water mark, so no id is ever used twice.
DELETE FROM sqlite_sequence WHERE name = 'products_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'products_new', seq FROM sqlite_sequence WHERE name = 'products';
DROP TABLE products;
ALTER TABLE products_new RENAME TO products;
CREATE UNIQUE INDEX ux_products_code ON products (code);
CREATE INDEX idx_products_active ON products (active, category, sort_order);

CREATE TABLE customer_services_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id       INTEGER       NOT NULL REFERENCES customers (id),
    service           TEXT  NOT NULL CHECK (service IN ('voice', 'mobile', 'broadband', 'dedicated_line', 'idc_cloud', 'iot', 'industry_app', 'other')),
    supplier          TEXT  NOT NULL CHECK (supplier IN ('cmcc', 'ctcc', 'cucc', 'cbn', 'other', 'self')),
    description       TEXT NOT NULL DEFAULT '',
    monthly_spend_fen INTEGER       NOT NULL DEFAULT 0 CHECK (monthly_spend_fen >= 0),
    contract_end      DATE,
    version           INTEGER      NOT NULL DEFAULT 1,
    created_by        INTEGER,
    updated_by        INTEGER,
    created_at        DATETIME  NOT NULL,
    updated_at        DATETIME  NOT NULL,
    deleted_at        DATETIME
);
INSERT INTO customer_services_new (id, customer_id, service, supplier, description, monthly_spend_fen, contract_end, version, created_by, updated_by, created_at, updated_at, deleted_at)
    SELECT id, customer_id, service, supplier, description, monthly_spend_fen, contract_end, version, created_by, updated_by, created_at, updated_at, deleted_at FROM customer_services;
-- Keep AUTOINCREMENT's high-water mark, so no id is ever used twice.
DELETE FROM sqlite_sequence WHERE name = 'customer_services_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'customer_services_new', seq FROM sqlite_sequence WHERE name = 'customer_services';
DROP TABLE customer_services;
ALTER TABLE customer_services_new RENAME TO customer_services;
CREATE INDEX idx_customer_services_customer ON customer_services (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customer_services_end ON customer_services (contract_end) WHERE deleted_at IS NULL;
CREATE INDEX idx_customer_services_deleted ON customer_services (deleted_at);

-- +goose Down
-- Back to the three lists; keys the old lists lacked go to their nearest
-- old key (lossy, as in postgres/).
CREATE TABLE customer_services_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id       INTEGER       NOT NULL REFERENCES customers (id),
    service           TEXT  NOT NULL CHECK (service IN ('voice', 'mobile', 'broadband', 'dedicated_line', 'idc_cloud', 'iot', 'other')),
    supplier          TEXT  NOT NULL CHECK (supplier IN ('cmcc', 'ctcc', 'cucc', 'cbn', 'other', 'self')),
    description       TEXT NOT NULL DEFAULT '',
    monthly_spend_fen INTEGER       NOT NULL DEFAULT 0 CHECK (monthly_spend_fen >= 0),
    contract_end      DATE,
    version           INTEGER      NOT NULL DEFAULT 1,
    created_by        INTEGER,
    updated_by        INTEGER,
    created_at        DATETIME  NOT NULL,
    updated_at        DATETIME  NOT NULL,
    deleted_at        DATETIME
);
INSERT INTO customer_services_new (id, customer_id, service, supplier, description, monthly_spend_fen, contract_end, version, created_by, updated_by, created_at, updated_at, deleted_at)
    SELECT id, customer_id, CASE service WHEN 'industry_app' THEN 'other' ELSE service END, supplier, description, monthly_spend_fen, contract_end, version, created_by, updated_by, created_at, updated_at, deleted_at FROM customer_services;
-- Keep AUTOINCREMENT's high-water mark, so no id is ever used twice.
DELETE FROM sqlite_sequence WHERE name = 'customer_services_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'customer_services_new', seq FROM sqlite_sequence WHERE name = 'customer_services';
DROP TABLE customer_services;
ALTER TABLE customer_services_new RENAME TO customer_services;
CREATE INDEX idx_customer_services_customer ON customer_services (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_customer_services_end ON customer_services (contract_end) WHERE deleted_at IS NULL;
CREATE INDEX idx_customer_services_deleted ON customer_services (deleted_at);

CREATE TABLE products_new (
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
INSERT INTO products_new (id, code, name_zh, name_en, category, unit, monthly_fen, one_time_fen, floor_rate, description, active, sort_order, version, created_by, updated_by, created_at, updated_at)
    SELECT id, code, name_zh, name_en, CASE category WHEN 'dedicated_line' THEN 'data' WHEN 'broadband' THEN 'data' WHEN 'idc_cloud' THEN 'cloud' WHEN 'mobile' THEN 'voice' WHEN 'industry_app' THEN 'messaging' ELSE category END, unit, monthly_fen, one_time_fen, floor_rate, description, active, sort_order, version, created_by, updated_by, created_at, updated_at FROM products;
-- Keep AUTOINCREMENT's high-water mark, so no id is ever used twice.
DELETE FROM sqlite_sequence WHERE name = 'products_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'products_new', seq FROM sqlite_sequence WHERE name = 'products';
DROP TABLE products;
ALTER TABLE products_new RENAME TO products;
CREATE UNIQUE INDEX ux_products_code ON products (code);
CREATE INDEX idx_products_active ON products (active, category, sort_order);

CREATE TABLE needs_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id     INTEGER      NOT NULL REFERENCES customers (id),
    category        TEXT NOT NULL CHECK (category IN ('voice', 'data', 'cloud', 'iot', 'industry_app', 'other')),
    description     TEXT        NOT NULL,
    priority        TEXT  NOT NULL CHECK (priority IN ('high', 'medium', 'low')),
    contact_id      INTEGER      REFERENCES contacts (id),
    status          TEXT NOT NULL CHECK (status IN ('open', 'addressed', 'closed')),
    opportunity_id  INTEGER      REFERENCES opportunities (id),
    -- The visit record it came from; no foreign key (visits is a sibling module).
    source_visit_id INTEGER,
    owner_id        INTEGER      NOT NULL REFERENCES users (id),
    version         INTEGER     NOT NULL DEFAULT 1,
    created_by      INTEGER,
    updated_by      INTEGER,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    deleted_at      DATETIME
);
INSERT INTO needs_new (id, customer_id, category, description, priority, contact_id, status, opportunity_id, source_visit_id, owner_id, version, created_by, updated_by, created_at, updated_at, deleted_at)
    SELECT id, customer_id, CASE category WHEN 'dedicated_line' THEN 'data' WHEN 'broadband' THEN 'data' WHEN 'idc_cloud' THEN 'cloud' WHEN 'mobile' THEN 'voice' ELSE category END, description, priority, contact_id, status, opportunity_id, source_visit_id, owner_id, version, created_by, updated_by, created_at, updated_at, deleted_at FROM needs;
-- Keep AUTOINCREMENT's high-water mark, so no id is ever used twice.
DELETE FROM sqlite_sequence WHERE name = 'needs_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'needs_new', seq FROM sqlite_sequence WHERE name = 'needs';
DROP TABLE needs;
ALTER TABLE needs_new RENAME TO needs;
CREATE INDEX idx_needs_customer ON needs (customer_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_owner_status ON needs (owner_id, status) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_status ON needs (status) WHERE deleted_at IS NULL;
CREATE INDEX idx_needs_deleted ON needs (deleted_at);
