// Package contracts owns contracts (签署协议) and their implementation
// (业务实施): a contract made from an accepted proposal (its lines carried
// over to the fen) or by hand from the catalogue, its number per branch and
// year, approval by the chief rep and the director under the four-eyes
// rule (approval.go), signing — which in one transaction, across modules,
// wins the opportunity and makes a prospect an active customer —, the
// implementation checklist, attachments (the signed scan), amendments as
// new revisions with their own approval, renewal with reminders at 90, 60
// and 30 days, the expiring and expired states kept by a daily job, the
// contract summary PDF (协议确认单) and the lists and exports.
//
// A contract hangs off its customer: it is visible exactly when the
// customer is (lists join customers and apply the customer's ListScope),
// changed by those who may write the customer, and approved under
// `contract approve`. What it needs from prospects, proposals, the
// catalogue and the organisation are the small interfaces of deps.go,
// implemented by adapters in cmd/jike.
package contracts
