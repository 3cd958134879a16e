package needs

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/money"
	"github.com/jike-crm/jike/modules/platform/servicecat"
	"github.com/jike-crm/jike/modules/prospects"
)

// SeedDemo extends the demo customers (prospects.Service.SeedDemo) with
// customer analyses and needs: for most customers an analysis with two to
// four current services (operators the customer already uses, some
// competitor contracts ending within ExpiringWithinDays so the home page
// has something to show), pain points, IT budget and decision calendar;
// and one to three needs across categories, priorities and statuses, some
// raised by the customer's key persons and linked to its opportunities.
// It returns how many analyses and needs it created. The same seed over
// the same customers gives the same data (dates are relative to today).
// It does nothing when any need exists, deleted ones included; everything
// is written in one transaction with batch inserts.
func (s *Service) SeedDemo(ctx context.Context, seed int64) (int, int, error) {
	g := s.store.DB().WithContext(ctx)
	var n int64
	if err := g.Unscoped().Model(&Need{}).Count(&n).Error; err != nil {
		return 0, 0, fmt.Errorf("seed demo needs: %w", err)
	}
	if n > 0 {
		return 0, 0, nil
	}
	var customers []prospects.Customer
	if err := g.Order("id").Find(&customers).Error; err != nil {
		return 0, 0, fmt.Errorf("seed demo needs: %w", err)
	}
	if len(customers) == 0 {
		return 0, 0, nil
	}
	var contacts []prospects.Contact
	if err := g.Order("customer_id, id").Find(&contacts).Error; err != nil {
		return 0, 0, fmt.Errorf("seed demo needs: %w", err)
	}
	var opps []prospects.Opportunity
	if err := g.Order("customer_id, id").Find(&opps).Error; err != nil {
		return 0, 0, fmt.Errorf("seed demo needs: %w", err)
	}
	// Customers analysed by hand before the demo was loaded keep theirs.
	var analysed []uint
	if err := g.Model(&CustomerAnalysis{}).Pluck("customer_id", &analysed).Error; err != nil {
		return 0, 0, fmt.Errorf("seed demo needs: %w", err)
	}
	d := &needsDemo{
		r:        rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x5bd1e9955bd1e995)),
		now:      s.now().Truncate(time.Second),
		today:    s.Today(),
		contacts: map[uint][]prospects.Contact{},
		opps:     map[uint][]prospects.Opportunity{},
		analysed: map[uint]bool{},
	}
	for _, id := range analysed {
		d.analysed[id] = true
	}
	for _, c := range contacts {
		d.contacts[c.CustomerID] = append(d.contacts[c.CustomerID], c)
	}
	for _, o := range opps {
		d.opps[o.CustomerID] = append(d.opps[o.CustomerID], o)
	}
	for i := range customers {
		d.customer(&customers[i])
	}

	err := s.store.Tx(ctx, func(tx *Store) error {
		db := tx.DB().WithContext(ctx)
		if len(d.analyses) > 0 {
			if err := db.CreateInBatches(d.analyses, 200).Error; err != nil {
				return fmt.Errorf("analyses: %w", err)
			}
		}
		if len(d.services) > 0 {
			if err := db.CreateInBatches(d.services, 300).Error; err != nil {
				return fmt.Errorf("services: %w", err)
			}
		}
		if len(d.needs) == 0 {
			return nil
		}
		if err := db.CreateInBatches(d.needs, 300).Error; err != nil {
			return fmt.Errorf("needs: %w", err)
		}
		// The trail of each need: its creation and its status changes,
		// which the customer timeline shows.
		var entries []audit.Entry
		for i := range d.needs {
			nd := &d.needs[i]
			b, err := json.Marshal(audit.Diff(nil, nd))
			if err != nil {
				return err
			}
			entries = append(entries, audit.Entry{At: nd.CreatedAt, ActorID: nd.CreatedBy, Entity: EntityNeed,
				EntityID: nd.ID, Action: audit.ActionCreate, Changes: string(b)})
			for _, m := range d.moves[i] {
				b, err := json.Marshal(map[string]audit.Change{"status": {From: m.from, To: m.to}})
				if err != nil {
					return err
				}
				entries = append(entries, audit.Entry{At: m.at, ActorID: nd.CreatedBy, Entity: EntityNeed,
					EntityID: nd.ID, Action: audit.ActionUpdate, Changes: string(b)})
			}
		}
		if err := db.CreateInBatches(entries, 300).Error; err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("seed demo needs: %w", err)
	}
	return len(d.analyses), len(d.needs), nil
}

// needsDemo generates the demo rows.
type needsDemo struct {
	r        *rand.Rand
	now      time.Time
	today    time.Time
	contacts map[uint][]prospects.Contact
	opps     map[uint][]prospects.Opportunity
	analysed map[uint]bool

	analyses []CustomerAnalysis
	services []CustomerService
	needs    []Need
	moves    [][]demoMove // per need, its status changes
}

type demoMove struct {
	from, to string
	at       time.Time
}

func (d *needsDemo) between(lo, hi int) int { return lo + d.r.IntN(hi-lo+1) }

func (d *needsDemo) chance(p float64) bool { return d.r.Float64() < p }

func (d *needsDemo) pick(list []string) string { return list[d.r.IntN(len(list))] }

// instant is a random time between from and to (to if from is later).
func (d *needsDemo) instant(from, to time.Time) time.Time {
	if !to.After(from) {
		return to
	}
	return from.Add(time.Duration(d.r.Int64N(int64(to.Sub(from))))).Truncate(time.Second)
}

// gradeFactor scales amounts: a key account spends more than a small one.
var gradeFactor = map[string]float64{"A": 4, "B": 2, "C": 1, "D": 0.5}

func (d *needsDemo) yuan(base int, grade string) money.Fen {
	f := gradeFactor[grade]
	if f == 0 {
		f = 1
	}
	v := float64(base) * f * (0.6 + 0.8*d.r.Float64())
	// Round to tens of yuan, as a bill summary would.
	return money.Fen(int64(v/10) * 10 * 100)
}

func (d *needsDemo) customer(c *prospects.Customer) {
	owner := c.OwnerID
	if d.chance(0.85) && !d.analysed[c.ID] {
		d.analysis(c, &owner)
	}
	if d.chance(0.1) {
		return
	}
	k := d.between(1, 3)
	used := map[string]bool{}
	for i := 0; i < k; i++ {
		d.need(c, &owner, used)
	}
}

// --- analysis and current services

type demoServiceTmpl struct {
	service string
	descs   []string
	base    int // monthly yuan for a C-grade customer
}

var demoServiceTmpls = []demoServiceTmpl{
	{servicecat.Voice, []string{"固话 {n} 部", "总机 + 直线 {n} 部", "400 客服热线"}, 3000},
	{servicecat.Mobile, []string{"员工手机 {n} 部", "集团V网手机 {n} 部，含流量包"}, 8000},
	{servicecat.Broadband, []string{"办公宽带 {bw}", "营业网点宽带 {k} 条"}, 900},
	{servicecat.DedicatedLine, []string{"互联网专线 {bw}", "数据专线 {k} 条（总部—分支）", "视频监控回传专线 {k} 条"}, 6000},
	{servicecat.IDCCloud, []string{"云主机 {k} 台", "IDC 机柜 {k} 个", "云存储 {tb} TB，异地备份"}, 9000},
	{servicecat.IoT, []string{"物联网卡 {n} 张", "车载定位终端 {n} 台"}, 1500},
	{servicecat.IndustryApp, []string{"行业短信 {k} 万条/月", "视频会议 {k} 个会议室"}, 2000},
}

func (d *needsDemo) fill(tmpl string) string {
	return strings.NewReplacer(
		"{n}", strconv.Itoa(d.between(2, 60)*10),
		"{k}", strconv.Itoa(d.between(2, 12)),
		"{bw}", d.pick([]string{"100M", "200M", "500M", "1000M"}),
		"{tb}", strconv.Itoa(d.between(5, 80)),
	).Replace(tmpl)
}

var demoPainPoints = []string{
	"网络高峰期卡顿，视频会议经常掉线",
	"现有运营商故障响应慢，上门往往要半天以上",
	"通信费用逐年上涨，各部门分别结算，难以管控",
	"分支机构多，专线由几家运营商提供，运维困难",
	"等保测评临近，数据安全和备份压力大",
	"员工手机号码在个人名下，人员离职后客户跟着流失",
	"自有机房空间不足，空调和电源老化",
	"担心业务上云后的安全性和迁移风险",
	"营业网点网络不稳定，收银和监控时常中断",
	"缺少统一的客服热线，来电经常无人接听",
}

var demoCalendars = []string{
	"每年 {m1} 月编制下一年度预算，{m2} 月前完成招标",
	"信息中心提出方案，分管副总审批；50 万元以上须公开招标",
	"重大采购须经党委会审议，一般每季度末召开",
	"现有合同到期前三个月启动比选，由办公室牵头",
	"预算已批复，{m1} 月完成采购，{m2} 月上线",
}

var demoNotes = []string{
	"信息中心主任是技术把关人，采购由办公室负责。",
	"对价格较敏感，去年曾因价格更换过宽带运营商。",
	"上级单位有统一采购框架，可借势推动。",
	"与竞争对手客户经理关系较好，需多做高层走访。",
	"",
	"",
}

func (d *needsDemo) analysis(c *prospects.Customer, owner *uint) {
	created := d.instant(c.CreatedAt, d.now)
	var pains []string
	for _, i := range d.r.Perm(len(demoPainPoints))[:d.between(1, 3)] {
		pains = append(pains, demoPainPoints[i])
	}
	m1 := d.between(3, 10)
	cal := strings.NewReplacer("{m1}", strconv.Itoa(m1), "{m2}", strconv.Itoa(m1+d.between(1, 2))).Replace(d.pick(demoCalendars))
	d.analyses = append(d.analyses, CustomerAnalysis{
		CustomerID: c.ID, PainPoints: strings.Join(pains, "\n"), ITBudgetFen: d.yuan(200_000, c.Grade),
		DecisionCalendar: cal, Notes: d.pick(demoNotes), Version: 1,
		CreatedBy: owner, UpdatedBy: owner, CreatedAt: created, UpdatedAt: created,
	})

	// Operators in place are the customer's competitors; an active
	// customer (在网) also uses us.
	comps := c.CompetitorList()
	if len(comps) == 0 {
		comps = []string{d.pick([]string{"ctcc", "cucc", "cmcc"})}
	}
	k := d.between(2, 4)
	for _, i := range d.r.Perm(len(demoServiceTmpls))[:k] {
		t := demoServiceTmpls[i]
		supplier := d.pick(comps)
		if c.Status == "active" && d.chance(0.4) {
			supplier = SupplierSelf
		}
		cs := CustomerService{
			CustomerID: c.ID, Service: t.service, Supplier: supplier, Description: d.fill(d.pick(t.descs)),
			MonthlySpendFen: d.yuan(t.base, c.Grade), Version: 1, CreatedBy: owner, UpdatedBy: owner,
			CreatedAt: created, UpdatedAt: created,
		}
		cs.ContractEnd = d.contractEnd(supplier)
		d.services = append(d.services, cs)
	}
}

// contractEnd spreads competitor contract ends so that about a third end
// within ExpiringWithinDays; our own contracts end later or have no date.
func (d *needsDemo) contractEnd(supplier string) *time.Time {
	var days int
	switch p := d.r.Float64(); {
	case supplier == SupplierSelf && p < 0.5:
		return nil
	case supplier == SupplierSelf:
		days = d.between(90, 900)
	case p < 0.38:
		days = d.between(3, ExpiringWithinDays-2)
	case p < 0.78:
		days = d.between(ExpiringWithinDays+1, 720)
	case p < 0.88:
		days = -d.between(1, 90)
	default:
		return nil
	}
	t := d.today.AddDate(0, 0, days)
	return &t
}

// --- needs

// demoNeedTexts are needs as account managers write them, by category.
var demoNeedTexts = map[string][]string{
	servicecat.Voice: {
		"开通 400 客服热线，来电按地区分配到各分公司",
		"会议室需要多方电话会议，能随时拉人入会",
		"总机改造，直线号码保持不变",
	},
	servicecat.Mobile: {
		"总部与各分支机构之间通话免费，组建集团V网",
		"领导班子手机号码统一号段，便于对外联系",
		"员工手机套餐统一由单位付费，按部门分摊",
	},
	servicecat.Broadband: {
		"营业网点宽带提速，收银系统高峰期不掉线",
		"新办公区 {k} 层需要开通企业宽带和无线覆盖",
	},
	servicecat.DedicatedLine: {
		"总部到 {k} 个分支机构的数据专线，要求双路由备份",
		"互联网专线从 100M 提升到 500M，高峰期不卡顿",
		"营业网点视频监控回传，需要稳定的上行带宽",
		"分支机构组网，希望用 SD-WAN 降低专线费用",
	},
	servicecat.IDCCloud: {
		"业务系统上云，需要 {k} 台云主机和云数据库",
		"自有机房设备老化，考虑整体托管到 IDC 机柜",
		"重要数据异地备份，满足等保三级要求",
	},
	servicecat.IoT: {
		"{n} 张物联网卡用于车辆定位与调度",
		"厂区能耗监测，接入智能电表和水表",
		"冷链运输全程温度实时监控",
		"门禁与考勤联网，统一管理",
	},
	servicecat.IndustryApp: {
		"政务热线与网格化管理平台",
		"远程会诊与移动查房",
		"智慧校园与家校互动平台",
		"网点视频双录与安全接入",
		"工业互联网平台与 5G 专网",
		"车队调度与电子运单",
		"井场无线视频回传",
		"门店会员短信营销",
	},
	servicecat.Other: {
		"各部门账单合并，按部门分账",
		"希望有专属客户经理，故障 7×24 小时响应",
		"现有合同到期后做一次整体比价",
	},
}

// industryApp maps a customer's industry to its industry application need.
var industryApp = map[string]int{
	"gov": 0, "healthcare": 1, "education": 2, "finance": 3, "manufacturing": 4,
	"logistics": 5, "energy": 6, "trade": 7,
}

func (d *needsDemo) need(c *prospects.Customer, owner *uint, used map[string]bool) {
	cat := d.pick(servicecat.Keys())
	text := d.pick(demoNeedTexts[cat])
	if cat == servicecat.IndustryApp {
		i, ok := industryApp[c.Industry]
		if !ok {
			cat, text = servicecat.DedicatedLine, d.pick(demoNeedTexts[servicecat.DedicatedLine])
		} else {
			text = demoNeedTexts[cat][i]
		}
	}
	if used[text] {
		return
	}
	used[text] = true
	prio := Priorities[1]
	switch p := d.r.Float64(); {
	case p < 0.3:
		prio = Priorities[0]
	case p > 0.8:
		prio = Priorities[2]
	}
	start := c.CreatedAt
	if floor := d.now.AddDate(0, 0, -200); start.Before(floor) {
		start = floor
	}
	created := d.instant(start, d.now.Add(-time.Hour))
	n := Need{
		CustomerID: c.ID, Category: cat, Description: d.fill(text), Priority: prio, Status: StatusOpen,
		OwnerID: c.OwnerID, Version: 1, CreatedBy: owner, UpdatedBy: owner, CreatedAt: created, UpdatedAt: created,
	}
	if cts := d.contacts[c.ID]; len(cts) > 0 && d.chance(0.75) {
		n.ContactID = &cts[d.r.IntN(len(cts))].ID
	}
	if ops := d.opps[c.ID]; len(ops) > 0 && d.chance(0.45) {
		n.OpportunityID = &ops[d.r.IntN(len(ops))].ID
	}
	var moves []demoMove
	switch p := d.r.Float64(); {
	case p < 0.55:
	case p < 0.85:
		at := d.instant(created, d.now)
		moves = append(moves, demoMove{StatusOpen, StatusAddressed, at})
		n.Status, n.Version, n.UpdatedAt = StatusAddressed, 2, at
	default:
		at := d.instant(created, d.now)
		moves = append(moves, demoMove{StatusOpen, StatusAddressed, at})
		at2 := d.instant(at, d.now)
		moves = append(moves, demoMove{StatusAddressed, StatusClosed, at2})
		n.Status, n.Version, n.UpdatedAt = StatusClosed, 3, at2
	}
	d.needs = append(d.needs, n)
	d.moves = append(d.moves, moves)
}
