package prospects

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/money"
)

// demoGroupUnit is one customer of the demo group tree.
type demoGroupUnit struct {
	name, owner, industry, grade, region string
	parent                               int // index of the parent unit, -1 for the group
	// opps are monthly values in yuan: open (proposal) first, then won
	// this year (negative), so each member adds to the roll-ups.
	opps []int64
}

// demoGroup is a fictional energy group whose members are owned by
// different account managers of two teams of the Harbin branch: the
// director (wangjianguo) sees the whole tree and its full roll-ups; liwei
// sees the group, his subsidiary and plant, his office below zhoujie's
// plant (attached to the group, through units he may not see), and the
// rest only as "N 个其他成员"; zhoujie (the other team) sees only his own
// members.
var demoGroup = []demoGroupUnit{
	{"华东能源集团有限公司", "liwei", "energy", "A", "南岗区", -1, []int64{120000, -80000}},
	{"华东能源集团黑龙江销售有限公司", "liwei", "energy", "A", "道里区", 0, []int64{45000}},
	{"华东能源集团黑龙江电力有限公司", "zhoujie", "energy", "B", "香坊区", 0, []int64{60000, -30000}},
	{"华东能源集团化工有限公司", "chenhao", "manufacturing", "B", "平房区", 0, []int64{28000}},
	{"华东能源销售哈尔滨第一加油站", "liwei", "energy", "C", "道里区", 1, []int64{3500}},
	{"华东能源销售哈尔滨油库", "zhangjing", "logistics", "C", "道外区", 1, []int64{-6000}},
	{"华东能源电力呼兰发电厂", "zhoujie", "energy", "B", "呼兰区", 2, []int64{22000}},
	{"华东能源电力阿城变电站", "wufang", "energy", "C", "阿城区", 2, nil},
	{"华东能源化工平房分厂", "chenhao", "manufacturing", "C", "平房区", 3, []int64{9000}},
	// liwei's unit below zhoujie's plant: liwei and zhaomin reach it on
	// the group's page through units they may not see (经由无权查看的单位).
	{"华东能源电力松北营业部", "liwei", "energy", "C", "松北区", 6, nil},
}

// SeedGroupDemo adds the demo group tree (华东能源集团 → subsidiaries →
// plants) with an opportunity or two and a key person per member, when the
// demo organisation exists and the group does not yet. It returns how
// many customers it added.
func (s *Service) SeedGroupDemo(ctx context.Context) (int, error) {
	if _, err := s.store.CustomerByCode(ctx, demoGroupCode(0)); err == nil {
		return 0, nil
	}
	now := s.now().Truncate(time.Second)
	people, err := s.demoUsers(ctx)
	if err != nil {
		return 0, err
	}
	created := make([]*Customer, len(demoGroup))
	err = s.store.Tx(ctx, func(tx *Store) error {
		conn := tx.DB().WithContext(ctx)
		for i, u := range demoGroup {
			owner, ok := people[u.owner]
			if !ok {
				return fmt.Errorf("demo user %s not found", u.owner)
			}
			c := &Customer{Name: u.name, CreditCode: demoGroupCode(i), Industry: u.industry, Grade: u.grade,
				Headcount: 300 * (len(demoGroup) - i), AnnualSpendFen: money.Fen(int64(len(demoGroup)-i) * 12_000_000),
				Address: "哈尔滨市" + u.region, Region: u.region, Status: "active",
				OwnerID: owner.ID, TeamID: derefID(owner.TeamID), BranchID: derefID(owner.BranchID),
				QualPay: QualYes, QualNeed: QualYes, QualAuthority: QualPartly, QualAcceptance: QualYes,
				QualScore: QualScore(QualYes, QualYes, QualPartly, QualYes), CreatedBy: &owner.ID, UpdatedBy: &owner.ID}
			// The key units have the team's chief rep, as the handbook's
			// 首席客户代表制 wants.
			if chief, ok := people["zhaomin"]; ok && u.grade == "A" {
				c.ChiefRepID = &chief.ID
			}
			if u.parent >= 0 {
				c.ParentID = &created[u.parent].ID
			}
			c.SearchText = searchText(c, []string{"刘主任"})
			if err := tx.CreateCustomer(ctx, c, now); err != nil {
				return fmt.Errorf("demo group %s: %w", u.name, err)
			}
			created[i] = c
			b, err := json.Marshal(audit.Diff(nil, c))
			if err != nil {
				return err
			}
			if err := conn.Create(&audit.Entry{At: now, ActorID: &owner.ID, Entity: "customer", EntityID: c.ID,
				Action: audit.ActionCreate, Changes: string(b)}).Error; err != nil {
				return err
			}
			if err := tx.CreateContact(ctx, &Contact{CustomerID: c.ID, Name: "刘主任", Title: "信息中心主任", Role: "decision",
				Attitude: "supporter", CreatedBy: &owner.ID, UpdatedBy: &owner.ID}); err != nil {
				return err
			}
			for k, yuan := range u.opps {
				o := &Opportunity{CustomerID: c.ID, Title: fmt.Sprintf("%s 专线与云 %d", u.region, k+1), Products: "专线、云专网",
					Stage: StageProposal, Probability: DefaultProbability[StageProposal], OwnerID: owner.ID,
					MonthlyFen: money.Fen(yuan * 100), StageChangedAt: now.AddDate(0, 0, -10*(k+1)), CreatedBy: &owner.ID, UpdatedBy: &owner.ID}
				if yuan < 0 {
					o.Stage, o.Probability, o.MonthlyFen = StageWon, 100, money.Fen(-yuan*100)
				}
				if err := tx.CreateOpportunity(ctx, o); err != nil {
					return err
				}
				if err := tx.AddStageChange(ctx, &StageChange{OpportunityID: o.ID, ToStage: o.Stage, ByID: owner.ID, At: o.StageChangedAt}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("seed demo group: %w", err)
	}
	return len(demoGroup), nil
}

// demoGroupCode is the credit code of the demo group's unit i.
func demoGroupCode(i int) string { return MakeCreditCode(fmt.Sprintf("91230100MA1HDNY%02d", i)) }

// demoUsers maps the login names of the demo's account managers and
// chief reps to where they sit.
func (s *Service) demoUsers(ctx context.Context) (map[string]demoUserRef, error) {
	teams, err := s.demoTeams(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]demoUserRef{}
	for _, t := range teams {
		for _, u := range t.members {
			out[u.Username] = demoUserRef{ID: u.ID, TeamID: u.TeamID, BranchID: u.BranchID}
		}
		if t.chief != nil {
			out[t.chief.Username] = demoUserRef{ID: t.chief.ID, TeamID: t.chief.TeamID, BranchID: t.chief.BranchID}
		}
	}
	return out, nil
}

// demoUserRef is where a demo owner sits.
type demoUserRef struct {
	ID               uint
	TeamID, BranchID *uint
}
