// Package catalog owns the product catalogue (业务目录): each product's
// code, Chinese and English name, category, unit, list price (monthly
// and/or one-time, integer fen) and the floor rate — the lowest share of
// the list price an account manager may quote without approval. Products
// are retired (已下架), never deleted, so old proposals keep pointing at
// them.
//
// Every signed-in role reads the catalogue (catalog:read); only the admin
// (catalog:manage) writes it. It imports the platform packages and org
// (for the names of who changed a product), never a module above it;
// proposals and contracts reach it through Service.ActiveProducts and
// Service.ByIDs.
package catalog
