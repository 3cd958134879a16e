-- The pairs of adjacent characters (00036) of the texts the other lists
-- search besides their customer's: an opportunity's title, a contract's
-- number and title, a proposal's title and number, a need's description
-- (issue 19). Their search box finds a row whose own text or whose
-- customer's contains the term; at province scale the admin's first look
-- at a rare name read every row of the list — 0.4–0.9 s for the
-- opportunities, 0.4–0.7 s for the contracts — since no index serves a
-- LIKE '%…%' of two characters (most Chinese terms). With these indexes
-- and customers' the search is two index lookups (db.ContainsByPairs).
-- Each index is on the expression the lists search (LOWER of the column)
-- so that the planner matches it. ANALYZE gives the planner the pairs'
-- frequencies, as 00036 did for customers.

-- +goose Up
CREATE INDEX idx_opps_title_bigrams ON opportunities USING gin (search_bigrams(LOWER(title)));
CREATE INDEX idx_contracts_number_bigrams ON contracts USING gin (search_bigrams(LOWER(number)));
CREATE INDEX idx_contracts_title_bigrams ON contracts USING gin (search_bigrams(LOWER(title)));
CREATE INDEX idx_proposals_title_bigrams ON proposals USING gin (search_bigrams(LOWER(title)));
CREATE INDEX idx_proposals_number_bigrams ON proposals USING gin (search_bigrams(LOWER(number)));
CREATE INDEX idx_needs_description_bigrams ON needs USING gin (search_bigrams(LOWER(description)));
ANALYZE opportunities;
ANALYZE contracts;
ANALYZE proposals;
ANALYZE needs;

-- +goose Down
DROP INDEX idx_needs_description_bigrams;
DROP INDEX idx_proposals_number_bigrams;
DROP INDEX idx_proposals_title_bigrams;
DROP INDEX idx_contracts_title_bigrams;
DROP INDEX idx_contracts_number_bigrams;
DROP INDEX idx_opps_title_bigrams;
