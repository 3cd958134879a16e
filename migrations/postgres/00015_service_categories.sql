-- One list of service categories (modules/platform/servicecat) for the
-- customer analysis (customer_services.service), needs (needs.category)
-- and the catalogue (products.category). Until now each kept its own list
-- with its own keys; the stored keys are mapped to the one list and the
-- three check constraints replaced by one and the same:
--   needs:     data → dedicated_line, cloud → idc_cloud
--   products:  data → dedicated_line, cloud → idc_cloud,
--              messaging → industry_app, video → industry_app
--   customer_services: its keys are all in the list (industry_app is new).
-- The audit trail keeps the old values as recorded; the history labels
-- them (servicecat.data …). The rows' version is not bumped: the change is
-- a renaming, not an edit, and a form opened before the upgrade that sends
-- an old key gets a field error rather than a conflict.
-- This is not an additive (expand) step: a release before 00015 cannot
-- show or accept the new keys, so stop the old instances before it runs
-- (docs/operations.md §13).

-- +goose Up
ALTER TABLE needs DROP CONSTRAINT needs_category_check;
UPDATE needs SET category = CASE category
    WHEN 'data' THEN 'dedicated_line'
    WHEN 'cloud' THEN 'idc_cloud'
    ELSE category END
WHERE category IN ('data', 'cloud');
ALTER TABLE needs ADD CONSTRAINT needs_category_check
    CHECK (category IN ('voice', 'mobile', 'broadband', 'dedicated_line', 'idc_cloud', 'iot', 'industry_app', 'other'));

ALTER TABLE products DROP CONSTRAINT products_category_check;
UPDATE products SET category = CASE category
    WHEN 'data' THEN 'dedicated_line'
    WHEN 'cloud' THEN 'idc_cloud'
    WHEN 'messaging' THEN 'industry_app'
    WHEN 'video' THEN 'industry_app'
    ELSE category END
WHERE category IN ('data', 'cloud', 'messaging', 'video');
ALTER TABLE products ADD CONSTRAINT products_category_check
    CHECK (category IN ('voice', 'mobile', 'broadband', 'dedicated_line', 'idc_cloud', 'iot', 'industry_app', 'other'));

ALTER TABLE customer_services DROP CONSTRAINT customer_services_service_check;
ALTER TABLE customer_services ADD CONSTRAINT customer_services_service_check
    CHECK (service IN ('voice', 'mobile', 'broadband', 'dedicated_line', 'idc_cloud', 'iot', 'industry_app', 'other'));

-- +goose Down
-- Back to the three lists. Keys the old lists lacked go to their nearest
-- old key (mobile and broadband to voice and data in needs and products,
-- industry_app to other in customer_services); that part is lossy.
ALTER TABLE customer_services DROP CONSTRAINT customer_services_service_check;
UPDATE customer_services SET service = 'other' WHERE service = 'industry_app';
ALTER TABLE customer_services ADD CONSTRAINT customer_services_service_check
    CHECK (service IN ('voice', 'mobile', 'broadband', 'dedicated_line', 'idc_cloud', 'iot', 'other'));

ALTER TABLE products DROP CONSTRAINT products_category_check;
UPDATE products SET category = CASE category
    WHEN 'dedicated_line' THEN 'data'
    WHEN 'broadband' THEN 'data'
    WHEN 'idc_cloud' THEN 'cloud'
    WHEN 'mobile' THEN 'voice'
    WHEN 'industry_app' THEN 'messaging'
    ELSE category END
WHERE category IN ('dedicated_line', 'broadband', 'idc_cloud', 'mobile', 'industry_app');
ALTER TABLE products ADD CONSTRAINT products_category_check
    CHECK (category IN ('voice', 'data', 'cloud', 'iot', 'messaging', 'video', 'other'));

ALTER TABLE needs DROP CONSTRAINT needs_category_check;
UPDATE needs SET category = CASE category
    WHEN 'dedicated_line' THEN 'data'
    WHEN 'broadband' THEN 'data'
    WHEN 'idc_cloud' THEN 'cloud'
    WHEN 'mobile' THEN 'voice'
    ELSE category END
WHERE category IN ('dedicated_line', 'broadband', 'idc_cloud', 'mobile');
ALTER TABLE needs ADD CONSTRAINT needs_category_check
    CHECK (category IN ('voice', 'data', 'cloud', 'iot', 'industry_app', 'other'));
