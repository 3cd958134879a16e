package org

import (
	"context"
	"fmt"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/db"
)

// DemoPassword is the password of every demo account. It is printed at
// start and listed in the README; never use demo data in production.
const DemoPassword = "jike2026"

// DemoLogin is one demo account, for the start-up banner.
type DemoLogin struct {
	Username, Name, Role, Where string
}

type demoTeam struct {
	name   string
	chief  [2]string   // username, name
	people [][2]string // account managers
}

type demoBranch struct {
	code, name string
	director   [2]string
	teams      []demoTeam
}

var demoOrg = []demoBranch{
	{code: "HRB", name: "哈尔滨分公司", director: [2]string{"wangjianguo", "王建国"}, teams: []demoTeam{
		{name: "政企客户一部", chief: [2]string{"zhaomin", "赵敏"}, people: [][2]string{
			{"liwei", "李伟"}, {"zhangjing", "张静"}, {"chenhao", "陈浩"}, {"yangfan", "杨帆"}}},
		{name: "金融行业客户部", chief: [2]string{"sunli", "孙丽"}, people: [][2]string{
			{"zhoujie", "周杰"}, {"wufang", "吴芳"}, {"zhengqiang", "郑强"}}},
	}},
	{code: "DQ", name: "大庆分公司", director: [2]string{"liuzhiqiang", "刘志强"}, teams: []demoTeam{
		{name: "能源行业客户部", chief: [2]string{"hexiaodong", "何晓东"}, people: [][2]string{
			{"gaoyuan", "高远"}, {"linna", "林娜"}, {"guoming", "郭明"}, {"maxin", "马鑫"}}},
		{name: "教育医疗客户部", chief: [2]string{"luoyan", "罗艳"}, people: [][2]string{
			{"xupeng", "徐鹏"}, {"hutingting", "胡婷婷"}, {"zhuhong", "朱红"}}},
	}},
}

// HasUsers reports whether the database already holds any user, in which
// case the demo seed refuses to run.
func (s *Service) HasUsers(ctx context.Context) (bool, error) {
	var n int64
	err := db.Conn(ctx, s.store.db).Model(&User{}).Count(&n).Error
	return n > 0, err
}

// SeedDemo creates the demo organisation in one transaction: 2 branches,
// 4 teams, a director per branch, a chief rep per team, 3–4 account
// managers per team and one admin. It does nothing on a database that
// already has users, and returns the logins it created.
func (s *Service) SeedDemo(ctx context.Context) ([]DemoLogin, error) {
	if has, err := s.HasUsers(ctx); err != nil || has {
		return nil, err
	}
	// One hash for all: the demo password is the same, and hashing it 20
	// times would slow the first start for nothing.
	hash, err := s.HashPassword(DemoPassword)
	if err != nil {
		return nil, err
	}
	var logins []DemoLogin
	phone := 13800451000
	newUser := func(tx *Store, username, name, role string, branchID, teamID uint, where string) (*User, error) {
		phone++
		u := &User{Username: username, Name: name, Role: role, BranchID: ptr(branchID), TeamID: ptr(teamID),
			Lang: "zh-CN", PasswordHash: hash, Phone: fmt.Sprint(phone), Email: username + "@hl.example.cn"}
		if err := tx.CreateUser(ctx, u); err != nil {
			return nil, err
		}
		logins = append(logins, DemoLogin{Username: username, Name: name, Role: role, Where: where})
		return u, audit.Record(ctx, tx.DB(), 0, "user", u.ID, audit.ActionCreate, audit.Diff(nil, u))
	}
	err = s.store.Tx(ctx, func(tx *Store) error {
		if _, err := newUser(tx, "admin", "系统管理员", authz.RoleAdmin, 0, 0, ""); err != nil {
			return err
		}
		for _, db := range demoOrg {
			b := &Branch{Code: db.code, Name: db.name}
			if err := tx.CreateBranch(ctx, b); err != nil {
				return err
			}
			if _, err := newUser(tx, db.director[0], db.director[1], authz.RoleDirector, b.ID, 0, db.name); err != nil {
				return err
			}
			for _, dt := range db.teams {
				t := &Team{BranchID: b.ID, Name: dt.name, Active: true}
				if err := tx.CreateTeam(ctx, t); err != nil {
					return err
				}
				where := db.name + " · " + dt.name
				chief, err := newUser(tx, dt.chief[0], dt.chief[1], authz.RoleChiefRep, b.ID, t.ID, where)
				if err != nil {
					return err
				}
				t.LeaderID = &chief.ID
				if err := tx.SaveTeam(ctx, t, s.now()); err != nil {
					return err
				}
				for _, p := range dt.people {
					if _, err := newUser(tx, p[0], p[1], authz.RoleAccountManager, b.ID, t.ID, where); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed demo organisation: %w", err)
	}
	return logins, nil
}
