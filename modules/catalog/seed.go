package catalog

import (
	"context"
	"errors"
	"fmt"

	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/servicecat"
)

// defaultProduct is one line of the starter catalogue.
type defaultProduct struct {
	in      ProductInput
	retired bool
}

// defaultProducts is a starter catalogue of a provincial operator's
// group-customer products at typical list prices (yuan, tax included),
// with the floor an account manager may go to alone. They go through the
// same validation as the admin's form.
var defaultProducts = []defaultProduct{
	// fixed voice and mobile
	{in: ProductInput{Code: "VPMN-GRP", NameZh: "集团V网（VPMN）", NameEn: "Group VPMN (closed user group)", Category: servicecat.Mobile, Unit: "成员",
		Monthly: "10", FloorPercent: "50", SortOrder: "10",
		Description: "集团成员之间短号互拨、网内通话优惠；按成员收取月功能费。"}},
	{in: ProductInput{Code: "400-STD", NameZh: "400 号码（标准版）", NameEn: "400 number (standard)", Category: servicecat.Voice, Unit: "个",
		Monthly: "300", OneTime: "500", FloorPercent: "80", SortOrder: "20",
		Description: "全国统一客服号码，含 IVR 导航与呼叫转接；一次性费用为选号及开通费。"}},
	// data and dedicated lines, broadband
	{in: ProductInput{Code: "DIA-20M", NameZh: "互联网专线 20M", NameEn: "Dedicated Internet Access 20 Mbps", Category: servicecat.DedicatedLine, Unit: "条",
		Monthly: "2000", OneTime: "2000", FloorPercent: "85", SortOrder: "10",
		Description: "上下行对称 20M，含 8 个固定公网 IP，SLA 99.9%；一次性费用为安装调测费。"}},
	{in: ProductInput{Code: "DIA-100M", NameZh: "互联网专线 100M", NameEn: "Dedicated Internet Access 100 Mbps", Category: servicecat.DedicatedLine, Unit: "条",
		Monthly: "6800", OneTime: "3000", FloorPercent: "80", SortOrder: "20",
		Description: "上下行对称 100M，含 16 个固定公网 IP，SLA 99.9%，7×24 小时故障响应。"}},
	{in: ProductInput{Code: "DIA-1000M", NameZh: "互联网专线 1000M", NameEn: "Dedicated Internet Access 1000 Mbps", Category: servicecat.DedicatedLine, Unit: "条",
		Monthly: "38000", OneTime: "5000", FloorPercent: "75", SortOrder: "30",
		Description: "上下行对称千兆，双路由接入，SLA 99.95%，专属客户经理与网络监控。"}},
	{in: ProductInput{Code: "MSTP-10M", NameZh: "数据专线（同城 MSTP 10M）", NameEn: "Data private line (intra-city MSTP 10 Mbps)", Category: servicecat.DedicatedLine, Unit: "条",
		Monthly: "3500", OneTime: "2000", FloorPercent: "80", SortOrder: "40",
		Description: "总部与分支机构之间点对点二层专线，不经公网，适合生产、财务系统互联。"}},
	{in: ProductInput{Code: "BB-200M", NameZh: "企业宽带 200M", NameEn: "Business broadband 200 Mbps", Category: servicecat.Broadband, Unit: "户",
		Monthly: "398", OneTime: "200", FloorPercent: "85", SortOrder: "50",
		Description: "下行 200M 光纤宽带，含 1 个固定 IP，适合门店和小型办公室。"}},
	{in: ProductInput{Code: "SDWAN-SITE", NameZh: "SD-WAN 组网（每站点）", NameEn: "SD-WAN (per site)", Category: servicecat.DedicatedLine, Unit: "站点",
		Monthly: "1200", OneTime: "1500", FloorPercent: "80", SortOrder: "60",
		Description: "多分支智能组网，集中管控与选路；一次性费用含 CPE 设备与上门开通。"}},
	// cloud and IDC
	{in: ProductInput{Code: "ECS-2C4G", NameZh: "云主机 2核4G", NameEn: "Cloud server 2 vCPU / 4 GB", Category: servicecat.IDCCloud, Unit: "台",
		Monthly: "280", FloorPercent: "70", SortOrder: "10",
		Description: "含 40G 系统盘、5M 公网带宽，按月计费。"}},
	{in: ProductInput{Code: "ECS-8C32G", NameZh: "云主机 8核32G", NameEn: "Cloud server 8 vCPU / 32 GB", Category: servicecat.IDCCloud, Unit: "台",
		Monthly: "1680", FloorPercent: "70", SortOrder: "20",
		Description: "含 100G 系统盘、10M 公网带宽，适合数据库与业务系统。"}},
	{in: ProductInput{Code: "IDC-RACK-42U", NameZh: "IDC 机柜（42U 标准机柜）", NameEn: "IDC rack (42U standard)", Category: servicecat.IDCCloud, Unit: "个",
		Monthly: "5500", OneTime: "1000", FloorPercent: "80", SortOrder: "30",
		Description: "含 20A 双路供电、100M 共享带宽；一次性费用为上架及布线费。"}},
	// iot
	{in: ProductInput{Code: "IOT-CARD", NameZh: "物联网卡（月包 100MB）", NameEn: "IoT SIM (100 MB per month)", Category: servicecat.IoT, Unit: "张",
		Monthly: "5", OneTime: "5", FloorPercent: "60", SortOrder: "10",
		Description: "4G/NB-IoT 物联网卡，支持流量池与机卡绑定；一次性费用为卡费。"}},
	{in: ProductInput{Code: "IOT-GPRS", NameZh: "物联网卡（2G GPRS 30MB）", NameEn: "IoT SIM (2G GPRS, 30 MB)", Category: servicecat.IoT, Unit: "张",
		Monthly: "3", FloorPercent: "60", SortOrder: "90",
		Description: "2G 网络退网，已停止新装；存量客户请迁移到 4G/NB-IoT 物联网卡。"}, retired: true},
	// industry applications: messaging, video meetings
	{in: ProductInput{Code: "SMS-IND", NameZh: "行业短信", NameEn: "Industry SMS", Category: servicecat.IndustryApp, Unit: "万条",
		OneTime: "450", FloorPercent: "80", SortOrder: "10",
		Description: "验证码、通知类短信，按万条预付费（约 0.045 元/条），支持签名报备与回执。"}},
	{in: ProductInput{Code: "VC-HD", NameZh: "视频会议（高清会议室终端）", NameEn: "Video conferencing (HD room system)", Category: servicecat.IndustryApp, Unit: "套",
		Monthly: "800", OneTime: "12000", FloorPercent: "85", SortOrder: "20",
		Description: "1080P 会议室终端与 MCU 服务；一次性费用为终端设备及安装。"}},
	{in: ProductInput{Code: "CVC-25", NameZh: "云视讯（25 方会议室）", NameEn: "Cloud video meetings (25-party room)", Category: servicecat.IndustryApp, Unit: "个",
		Monthly: "600", FloorPercent: "70", SortOrder: "30",
		Description: "手机、电脑、会议室终端随时入会，单会议室最多 25 方同时在线。"}},
	// other
	{in: ProductInput{Code: "SEC-DDOS-20G", NameZh: "抗 DDoS 防护（20G）", NameEn: "Anti-DDoS protection (20 Gbps)", Category: servicecat.Other, Unit: "条",
		Monthly: "2000", FloorPercent: "80", SortOrder: "10",
		Description: "为互联网专线提供 20G 流量清洗能力，攻击时自动牵引。"}},
}

// SeedDefaults fills an empty catalogue with the starter products (one of
// them already retired, to show what retirement looks like) and returns
// how many it inserted. A catalogue with any product, retired or not, is
// left alone, so calling it again — or after the admin has started their
// own catalogue — inserts nothing. Each product gets a "create" audit
// entry by actorID (0: the system).
func (s *Service) SeedDefaults(ctx context.Context, actorID uint) (int, error) {
	n := 0
	err := s.store.Tx(ctx, func(tx *Store) error {
		count, err := tx.Count(ctx)
		if err != nil {
			return fmt.Errorf("count products: %w", err)
		}
		if count > 0 {
			return nil
		}
		for _, d := range defaultProducts {
			in := d.in
			v, f := in.Validate()
			if err := f.Err(); err != nil {
				return fmt.Errorf("default product %s: %w", in.Code, err)
			}
			p := newProduct(in, v, actorID)
			p.Active = !d.retired
			if err := tx.Create(ctx, p); err != nil {
				return err
			}
			if err := audit.Record(ctx, tx.DB(), actorID, AuditEntity, p.ID, audit.ActionCreate, audit.Diff(nil, p)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if errors.Is(err, apperr.ErrConflict) {
		// Another process seeded (or an admin added a code) meanwhile.
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}
