// Package needs owns the customer analysis (客户分析) — the services a
// group customer uses today, who supplies each and at what monthly spend,
// when competitors' contracts end, pain points, IT budget and decision
// calendar — and the customer's needs (需求) with their status (open →
// addressed → closed), which proposals will cite.
//
// Every record hangs off a customer and follows the customer's scope
// exactly: single records are checked through prospects.Service.CustomerFor,
// lists join customers and apply prospects.Service.Scope. It imports the
// platform packages and prospects, never a module above it; the visits
// module reaches it only through a func wired in cmd/jike
// (Service.CreateFromVisit).
package needs
