// Package proposals owns solution proposals (整体解决方案): the sections,
// line items priced from the catalogue at the moment they are added,
// exact totals, the approval rules (discount below the account manager's
// floor, or value above a threshold), versions and the states
// 草稿 → 待审批 → 已审批 → 已提交客户 → 客户接受 | 客户拒绝. It imports
// prospects (scope, opportunities) and catalog (prices); what happens when
// a proposal is sent or accepted reaches other modules through hooks wired
// in cmd/jike.
package proposals
