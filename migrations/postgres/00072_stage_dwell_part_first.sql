-- The kept stage dwell counts keyed by part before month (issue 19). The
-- velocity reads one branch's (or the province's) rows of one part over
-- a range of months or days; with the key (branch_id, month, stage, days,
-- part) that range held every part's rows of the span — for the
-- province, fifteen month parts and, since 00071, sixteen day parts — and
-- the admin's custom range under an industry read ~45,000 index entries
-- for ~1,000 rows (~13–16 ms). Keyed (branch_id, part, month, stage,
-- days), each part's span is one range (~0.5 ms). The fold's ON CONFLICT
-- names the same columns and finds the key whatever their order.

-- +goose Up
ALTER TABLE stage_dwell_base DROP CONSTRAINT stage_dwell_base_pkey;
ALTER TABLE stage_dwell_base ADD PRIMARY KEY (branch_id, part, month, stage, days);

-- +goose Down
ALTER TABLE stage_dwell_base DROP CONSTRAINT stage_dwell_base_pkey;
ALTER TABLE stage_dwell_base ADD PRIMARY KEY (branch_id, month, stage, days, part);
