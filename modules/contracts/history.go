package contracts

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
)

// historyLimit is how many entries a contract's page shows.
const historyLimit = 50

// contractActions are the actions recorded on a contract besides create,
// update and delete (see Service.record and its callers).
var contractActions = []string{"contract_submit", "contract_approve", "contract_reject", "contract_sign", "contract_activate",
	"contract_expiring", "contract_expire", "contract_terminate", "contract_renew", "contract_renewed",
	"contract_amend", "contract_superseded", "attachment_add", "attachment_delete"}

// attachmentFields describe an attachment's columns as an upload or a
// deletion records them on the contract (see historyEntities).
func attachmentFields() []audit.Field {
	return []audit.Field{
		// Its contract is the entry's own (the root); its id, key,
		// checksum, type and byte count are bookkeeping: the file's name
		// (with the extension of its type) is what the page lists.
		audit.Hidden("contract_id"),
		audit.Hidden("attachment_id"),
		audit.Text("file_name", "contracts.attachments"),
		audit.Hidden("content_type"),
		audit.Hidden("size_bytes"),
		audit.Hidden("sha256"),
		audit.Ref("uploaded_by", "history2.f.uploaded_by", "user"),
		audit.Ref("deleted_by", "history2.f.deleted_by", "user"),
	}
}

// historyEntities describe contracts and their implementation tasks.
//
// Attachments have no entity of their own: an upload or a deletion is an
// entry on the contract (actions attachment_add, attachment_delete) whose
// diff holds the attachment's columns, so those columns are described on
// the contract too (a test checks every column of Attachment is).
func historyEntities() []audit.Entity {
	contract := []audit.Field{
		audit.Hidden("id"),
		audit.Text("number", "contracts.number"),
		audit.Number("revision", "contracts.revision"),
		// The first revision's id and which revision is in force are how
		// lists find a contract; the status says what happened.
		audit.Hidden("root_id"),
		audit.Hidden("is_current"),
		audit.Ref("customer_id", "contracts.customer", "customer"),
		audit.Ref("opportunity_id", "contracts.opportunity", "opportunity"),
		audit.Ref("proposal_id", "contracts.proposal", "proposal"),
		// The proposal's number as text, shown by proposal_id already.
		audit.Hidden("proposal_ref"),
		audit.Ref("predecessor_id", "contracts.renews", "contract"),
		audit.Ref("renewed_by_id", "contracts.renewed_by", "contract"),
		audit.Ref("owner_id", "contracts.owner", "user"),
		audit.Ref("branch_id", "users.branch", "branch"),
		audit.Text("title", "contracts.title_field"),
		audit.Enum("status", "contracts.status", "contracts.status.", Statuses...),
		audit.Date("signed_on", "contracts.signed_on"),
		audit.Date("start_on", "contracts.start_on"),
		audit.Date("end_on", "contracts.end_on"),
		audit.Number("term_months", "contracts.term_months"),
		audit.Money("monthly_fen", "contracts.monthly_total"),
		audit.Money("one_time_fen", "contracts.one_time_total"),
		audit.Money("total_fen", "contracts.total"),
		audit.Enum("payment_terms", "contracts.payment_terms", "contracts.payment.", PaymentTerms...),
		audit.Number("payment_due_day", "contracts.payment_due_day"),
		audit.Ref("our_signatory_id", "contracts.our_signatory", "user"),
		audit.Ref("customer_signatory_id", "contracts.customer_signatory", "contact"),
		audit.LongText("notes", "contracts.notes"),
		audit.Bool("needs_chief", "history.f.needs_chief"),
		audit.Bool("needs_director", "history.f.needs_director"),
		audit.Ref("chief_approved_by", "history.f.chief_approved_by", "user"),
		audit.Ref("director_approved_by", "history.f.director_approved_by", "user"),
		audit.DateTime("submitted_at", "history2.f.submitted_at"),
		audit.DateTime("signed_at", "history2.f.signed_at"),
		audit.DateTime("activated_at", "history2.f.activated_at"),
		audit.Date("terminated_on", "history2.f.terminated_on"),
		audit.LongText("termination_reason", "contracts.termination_reason"),
	}
	return []audit.Entity{
		{Name: "contract", Label: "audit.entity.contract", Model: &Contract{}, Fields: append(contract, attachmentFields()...),
			Actions: contractActions},
		{Name: "contract_task", Label: "audit.entity.contract_task", Model: &Task{},
			Fields: []audit.Field{
				audit.Hidden("id"),
				audit.Ref("contract_id", "history2.f.contract", "contract"),
				audit.Hidden("position"),
				audit.Enum("kind", "history2.f.task_kind", "contracts.task.kind.", TaskOpen, TaskCutover, TaskAcceptance, TaskFree),
				audit.Text("title", "contracts.task.title"),
				audit.Text("product_code", "catalog.code"),
				audit.Ref("owner_id", "contracts.task.owner", "user"),
				audit.Date("due_on", "contracts.task.due_on"),
				audit.Enum("status", "contracts.task.status", "contracts.task.status.", TaskStatuses...),
				audit.LongText("note", "contracts.task.note"),
				audit.DateTime("done_at", "history.f.done_at"),
			}},
	}
}

// DescribeHistory tells the history how contracts and their
// implementation tasks read, and names them for readers who may read the
// contract's customer (the same rule as the contract page and lists).
func DescribeHistory(h *audit.History, svc *Service) error {
	for _, e := range historyEntities() {
		if err := h.Describe(e); err != nil {
			return err
		}
	}
	// A contract reads as its number and name ("HT-哈尔滨-2026-000001 ·
	// 全省网点互联网专线"), an amendment with its revision; a deleted
	// draft keeps its name, marked and without a link.
	h.Resolve("contract", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.namedContracts(ctx, svc.enf.ListScope(r.Subject, "customer", "read"), ids)
		if err != nil {
			return nil, err
		}
		out := make(map[uint]audit.Name, len(rows))
		for _, c := range rows {
			n := audit.Name{Text: c.Number + " · " + c.Title}
			if c.Revision > 1 {
				n.Text += " · " + r.L.T("contracts.revision_n", "N", c.Revision)
			}
			if c.DeletedAt.Valid {
				n.Text += r.L.T("history.deleted")
			} else {
				n.Link = contractPath(c.ID)
			}
			out[c.ID] = n
		}
		return out, nil
	})
	// A task reads as its contract's number and the task's name, linked
	// to it on the contract's first revision (tasks stay with the root).
	h.Resolve("contract_task", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		rows, err := svc.store.namedTasks(ctx, svc.enf.ListScope(r.Subject, "customer", "read"), ids)
		if err != nil {
			return nil, err
		}
		out := make(map[uint]audit.Name, len(rows))
		for _, t := range rows {
			out[t.ID] = audit.Name{Text: t.Number + " · " + taskName(r, t.Task),
				Link: contractPath(t.ContractID) + "#task-" + strconv.FormatUint(uint64(t.ID), 10)}
		}
		return out, nil
	})
	return nil
}

// taskName is a task's name as the contract page shows it
// (templates/contracts/task_title.html).
func taskName(r audit.Reader, t Task) string {
	switch {
	case t.Title == "":
		return r.L.T("contracts.task.kind." + t.Kind)
	case t.Kind == TaskOpen:
		return r.L.T("contracts.task.open", "Product", t.Title)
	}
	return t.Title
}

// historyOf is the trail of a contract's page: every revision's entries
// (an amendment's edits, and the attachments, which belong to the whole
// contract whichever revision they were added on) and its tasks', newest
// first. The caller has loaded d's revisions and tasks for the reader.
func (s *Service) historyOf(ctx context.Context, d *Detail) ([]audit.Entry, error) {
	of := []audit.Target{{Entity: "contract", ID: d.C.ID}}
	for _, rev := range d.Revisions {
		if rev.ID != d.C.ID {
			of = append(of, audit.Target{Entity: "contract", ID: rev.ID})
		}
	}
	for _, t := range d.Tasks {
		of = append(of, audit.Target{Entity: "contract_task", ID: t.ID})
	}
	entries, _, err := audit.List(ctx, s.store.DB(), audit.Query{Of: of, Limit: historyLimit})
	return entries, err
}

// --- store: the lookups the history needs, one query each

// namedContracts loads the revisions among ids (deleted drafts too) whose
// live customer passes scope.
func (s *Store) namedContracts(ctx context.Context, scope authz.ListScope, ids []uint) ([]Contract, error) {
	var out []Contract
	if len(ids) == 0 {
		return out, nil
	}
	err := s.scoped(ctx, scope).Unscoped().
		Select("contracts.id, contracts.number, contracts.revision, contracts.title, contracts.deleted_at").
		Where("contracts.id IN ?", ids).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("contracts by ids: %w", err)
	}
	return out, nil
}

// namedTask is a task with its contract's number.
type namedTask struct {
	Task
	Number string
}

// namedTasks loads the live tasks among ids whose contract's live
// customer passes scope, with the contract's number.
func (s *Store) namedTasks(ctx context.Context, scope authz.ListScope, ids []uint) ([]namedTask, error) {
	var out []namedTask
	if len(ids) == 0 {
		return out, nil
	}
	q := s.conn(ctx).Model(&Task{}).
		Joins("JOIN contracts ON contracts.id = contract_tasks.contract_id AND contracts.deleted_at IS NULL").
		Joins(customerJoin)
	err := scope.Apply(q, authz.StandardColumns("customers")).
		Select("contract_tasks.id, contract_tasks.contract_id, contract_tasks.kind, contract_tasks.title, contracts.number").
		Where("contract_tasks.id IN ?", ids).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("contract tasks by ids: %w", err)
	}
	return out, nil
}
