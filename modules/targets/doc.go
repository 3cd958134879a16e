// Package targets is the handbook's 确定营销目标 and 销售目标分析: annual
// quotas per account manager and per team, monthly targets per account
// manager (derived from the quota's monthly share plus an uplift, "略高于
// 指标"), actuals counted from the records (never typed in), and the
// month-end review (月度总结) in which each missed line gets a reason A–D
// and an improvement, read and signed off by the chief rep.
//
// A target, a quota and a review belong to an account manager: the rows
// carry the manager's team and branch, so the permission scope (own / team
// / branch) applies to the tables directly. The actuals are a cross-module
// read model: actuals_store.go is the one file that reads other modules'
// tables (visit plans, contacts, opportunities, proposals), read-only,
// scoped by the customer read scope of whoever is looking. Signed
// contracts come in through the ContractSource func once the contracts
// module exists (nil: won opportunities count as signings).
//
// It imports platform/* only; the people it sets targets for come through
// the Directory interface, implemented in cmd/jike/app.go.
package targets
