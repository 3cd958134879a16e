package org

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/apperr"
	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/authz"
	"github.com/jike-crm/jike/modules/platform/i18n"
	"github.com/jike-crm/jike/modules/platform/web"
)

type handler struct {
	srv *web.Server
	svc *Service
}

// --- sign-in

func (h *handler) loginPage(c *fiber.Ctx) error {
	if web.Subject(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	if err := h.ensurePreSession(c); err != nil {
		return err
	}
	v := &loginView{Next: web.SafeNext(c.Query("next"), "")}
	v.Title = h.srv.I18n.T(web.Lang(c), "login.title")
	return h.srv.View(c, "org/login", v)
}

// ensurePreSession gives an anonymous visitor of the sign-in page a
// pre-session, unless the session middleware found a live one, so that
// the page's forms carry a token bound to it.
func (h *handler) ensurePreSession(c *fiber.Ctx) error {
	if web.CSRFToken(c) != "" {
		return nil
	}
	token, csrf, err := h.svc.NewPreSession(c.UserContext())
	if err != nil {
		return err
	}
	setPreSessionCookie(c, h.srv, token)
	web.SetSessionCSRF(c, csrf)
	return nil
}

func (h *handler) login(c *fiber.Ctx) error {
	username := strings.TrimSpace(c.FormValue("username"))
	next := web.SafeNext(c.FormValue("next"), "/")
	lang := web.Lang(c)
	v := &loginView{Username: username, Next: next}
	v.Title = h.srv.I18n.T(lang, "login.title")
	if username == "" || c.FormValue("password") == "" {
		v.Error = h.srv.I18n.T(lang, "login.missing")
		return h.srv.ViewStatus(c, fiber.StatusUnprocessableEntity, "org/login", v)
	}
	res, err := h.svc.Login(c.UserContext(), username, c.FormValue("password"), c.IP(), c.Get(fiber.HeaderUserAgent))
	switch {
	case errors.Is(err, ErrBadCredentials):
		v.Error = h.srv.I18n.T(lang, "login.bad_credentials")
		return h.srv.ViewStatus(c, fiber.StatusUnauthorized, "org/login", v)
	case errors.Is(err, ErrDisabled):
		v.Error = h.srv.I18n.T(lang, "login.disabled")
		return h.srv.ViewStatus(c, fiber.StatusForbidden, "org/login", v)
	case err != nil:
		return err
	}
	// The pre-session has done its job; the session is new (rotation): a
	// pre-session cookie planted by someone else leads nowhere.
	if err := h.svc.EndPreSession(c.UserContext(), c.Cookies(PreSessionCookie)); err != nil {
		h.srv.Log.Warn("end pre-session", "err", err)
	}
	clearPreSessionCookie(c, h.srv)
	// A language picked on the sign-in page is the user's choice and
	// wins over the stored one (which the Language middleware would
	// otherwise restore as soon as the session exists).
	if pick := i18n.Normalize(c.Cookies(langPickCookie)); pick != "" {
		if pick != i18n.Normalize(res.User.Lang) {
			if err := h.svc.SetLang(c.UserContext(), res.User.ID, pick); err != nil {
				return err
			}
		}
		c.Cookie(&fiber.Cookie{Name: langPickCookie, Value: "", Path: "/", MaxAge: -1, HTTPOnly: true, Secure: h.srv.CookieSecure(), SameSite: fiber.CookieSameSiteLaxMode})
	}
	setSessionCookie(c, h.srv, res.Token, h.svc.sessionTTL)
	return c.Redirect(next, fiber.StatusSeeOther)
}

// langPickCookie holds a language picked on the sign-in page, before
// there is a user to store it for.
const langPickCookie = "jike_lang_pick"

func (h *handler) logout(c *fiber.Ctx) error {
	if err := h.svc.Logout(c.UserContext(), c.Cookies(SessionCookie)); err != nil {
		return err
	}
	clearSessionCookie(c, h.srv)
	h.srv.Flash(c, "ok", "login.logged_out")
	return web.Redirect(c, "/login")
}

func (h *handler) setLang(c *fiber.Ctx) error {
	lang := i18n.Normalize(c.FormValue("lang"))
	if lang == "" {
		return fiber.ErrBadRequest
	}
	if me := web.Subject(c); me != nil {
		if err := h.svc.SetLang(c.UserContext(), me.ID, lang); err != nil {
			return err
		}
	} else {
		// Remembered until the sign-in, which stores it for the user.
		c.Cookie(&fiber.Cookie{Name: langPickCookie, Value: lang, Path: "/", MaxAge: 24 * 3600, HTTPOnly: true, Secure: h.srv.CookieSecure(), SameSite: fiber.CookieSameSiteLaxMode})
	}
	h.srv.SetLangCookie(c, lang)
	return web.Redirect(c, web.SafeNext(c.FormValue("next"), "/"))
}

// --- home and own account

func (h *handler) home(c *fiber.Ctx) error {
	panels, err := h.srv.HomePanels(c)
	if err != nil {
		return err
	}
	return h.srv.Render(c, "home/index", fiber.Map{"Panels": panels})
}

func (h *handler) panelMe(ctx context.Context, me authz.Subject) (fiber.Map, error) {
	v := mePanel{RoleKey: "role." + me.Role}
	if me.TeamID != 0 {
		t, err := h.svc.TeamByID(ctx, me.TeamID)
		if err != nil {
			return nil, err
		}
		v.Team = t
	}
	if me.BranchID != 0 {
		b, err := h.svc.BranchByID(ctx, me.BranchID)
		if err != nil {
			return nil, err
		}
		v.Branch = b
	}
	return fiber.Map{"V": v}, nil
}

// panelTeam shows an account manager or chief rep their team, and a
// director the teams of their branch.
func (h *handler) panelTeam(ctx context.Context, me authz.Subject) (fiber.Map, error) {
	var teams []Team
	switch me.Role {
	case authz.RoleAccountManager, authz.RoleChiefRep:
		if me.TeamID != 0 {
			t, err := h.svc.TeamByID(ctx, me.TeamID)
			if err != nil {
				return nil, err
			}
			teams = []Team{*t}
		}
	case authz.RoleDirector:
		var err error
		if teams, err = h.svc.Teams(ctx, me.BranchID, true); err != nil {
			return nil, err
		}
	}
	if len(teams) == 0 {
		return fiber.Map{"V": teamPanel{}}, nil
	}
	ids := make([]uint, len(teams))
	for i, t := range teams {
		ids[i] = t.ID
	}
	members, err := h.svc.UsersByTeam(ctx, ids...)
	if err != nil {
		return nil, err
	}
	views := make([]teamView, len(teams))
	for i, t := range teams {
		views[i].Team = t
		for _, m := range members {
			if deref(m.TeamID) == t.ID {
				views[i].Members = append(views[i].Members, m)
			}
		}
	}
	return fiber.Map{"V": teamPanel{Teams: views}}, nil
}

type teamView struct {
	Team    Team
	Members []User
}

func (h *handler) panelAdmin(ctx context.Context, me authz.Subject) (fiber.Map, error) {
	counts, err := h.svc.CountUsers(ctx)
	if err != nil {
		return nil, err
	}
	teams, err := h.svc.Teams(ctx, 0, true)
	if err != nil {
		return nil, err
	}
	branches, err := h.svc.Branches(ctx)
	if err != nil {
		return nil, err
	}
	var total int64
	for _, n := range counts {
		total += n
	}
	return fiber.Map{"V": adminPanel{Users: total, Teams: len(teams), Branches: len(branches)}}, nil
}

func (h *handler) passwordPage(c *fiber.Ctx) error {
	v := &passwordView{}
	v.Title = h.srv.I18n.T(web.Lang(c), "password.title")
	return h.srv.View(c, "org/password", v)
}

func (h *handler) changePassword(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	err := h.svc.ChangePassword(c.UserContext(), me.ID, c.Cookies(SessionCookie),
		c.FormValue("current"), c.FormValue("password"), c.FormValue("confirm"))
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		v := &passwordView{Errors: msgs}
		v.Title = h.srv.I18n.T(web.Lang(c), "password.title")
		return h.srv.ViewStatus(c, status, "org/password", v)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "password.changed")
	return web.Redirect(c, "/")
}

// --- admin: users

type orgLookups struct {
	Teams      []Team
	Branches   []Branch
	TeamName   map[uint]string
	BranchName map[uint]string
}

func (h *handler) lookups(c *fiber.Ctx) (*orgLookups, error) {
	ctx := c.UserContext()
	teams, err := h.svc.Teams(ctx, 0, false)
	if err != nil {
		return nil, err
	}
	branches, err := h.svc.Branches(ctx)
	if err != nil {
		return nil, err
	}
	l := &orgLookups{Teams: teams, Branches: branches, TeamName: map[uint]string{}, BranchName: map[uint]string{}}
	for _, b := range branches {
		l.BranchName[b.ID] = b.Name
	}
	for _, t := range teams {
		l.TeamName[t.ID] = l.BranchName[t.BranchID] + " · " + t.Name
	}
	return l, nil
}

func (h *handler) users(c *fiber.Ctx) error {
	p := web.NewPager(c)
	f := UserFilter{
		Q: strings.TrimSpace(c.Query("q")), Role: c.Query("role"), Status: c.Query("status"),
		TeamID: web.QueryID(c, "team"), Sort: c.Query("sort"), Desc: c.Query("dir") == "desc",
		Limit: p.Size, Offset: p.Offset(),
	}
	if !authz.ValidRole(f.Role) {
		f.Role = ""
	}
	list, total, err := h.svc.ListUsers(c.UserContext(), f)
	if err != nil {
		return err
	}
	p.Total = total
	l, err := h.lookups(c)
	if err != nil {
		return err
	}
	return h.srv.View(c, "org/users", &usersView{Users: list, Pager: p, Filter: f, Lookups: l, Roles: authz.Roles})
}

func userInputFrom(c *fiber.Ctx) UserInput {
	return UserInput{
		Username: c.FormValue("username"), Name: c.FormValue("name"), Email: c.FormValue("email"),
		Phone: c.FormValue("phone"), Role: c.FormValue("role"), TeamID: web.FormUint(c, "team_id"),
		BranchID: web.FormUint(c, "branch_id"), Lang: c.FormValue("lang"), Password: c.FormValue("password"),
		Version: web.FormInt(c, "version"),
	}
}

func (h *handler) renderUserForm(c *fiber.Ctx, status int, id uint, in UserInput, errs map[string]string, u *User) error {
	l, err := h.lookups(c)
	if err != nil {
		return err
	}
	v := &userFormView{ID: id, Form: in, Errors: errs, Lookups: l, Roles: authz.Roles, User: u}
	if id != 0 {
		entries, _, err := h.svc.AuditEntries(c.UserContext(), audit.Query{Entity: "user", EntityID: id, Limit: 20})
		if err != nil {
			return err
		}
		if v.History, err = h.srv.History.View(c.UserContext(), web.MustSubject(c), web.Lang(c), entries); err != nil {
			return err
		}
	}
	if u != nil {
		if v.Throttle, err = h.svc.Throttled(c.UserContext(), u.Username); err != nil {
			return err
		}
	}
	return h.srv.ViewStatus(c, status, "org/user_form", v)
}

func (h *handler) userNew(c *fiber.Ctx) error {
	return h.renderUserForm(c, fiber.StatusOK, 0, UserInput{Role: authz.RoleAccountManager, Lang: i18n.ZH}, nil, nil)
}

func (h *handler) userCreate(c *fiber.Ctx) error {
	me := web.MustSubject(c)
	in := userInputFrom(c)
	u, err := h.svc.CreateUser(c.UserContext(), me.ID, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		in.Password = ""
		return h.renderUserForm(c, status, 0, in, msgs, nil)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "users.created")
	return web.Redirect(c, "/admin/users/"+strconv.Itoa(int(u.ID))+"/edit")
}

func (h *handler) userEdit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	u, err := h.svc.UserByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	in := UserInput{Username: u.Username, Name: u.Name, Email: u.Email, Phone: u.Phone, Role: u.Role,
		TeamID: deref(u.TeamID), BranchID: deref(u.BranchID), Lang: u.Lang, Version: u.Version}
	return h.renderUserForm(c, fiber.StatusOK, id, in, nil, u)
}

func (h *handler) userUpdate(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	in := userInputFrom(c)
	_, err = h.svc.UpdateUser(c.UserContext(), me.ID, id, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		u, lerr := h.svc.UserByID(c.UserContext(), id)
		if lerr != nil {
			return lerr
		}
		return h.renderUserForm(c, status, id, in, msgs, u)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, "/admin/users/"+strconv.Itoa(int(id))+"/edit")
}

func (h *handler) userSetDisabled(c *fiber.Ctx, disabled bool) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	err = h.svc.SetDisabled(c.UserContext(), me.ID, id, disabled, web.FormInt(c, "version"))
	if f, ok := apperr.AsFields(err); ok {
		for _, msg := range f {
			h.srv.Flash(c, "error", msg)
		}
		return web.Redirect(c, "/admin/users/"+strconv.Itoa(int(id))+"/edit")
	}
	if errors.Is(err, apperr.ErrConflict) {
		h.srv.Flash(c, "error", "v.stale")
		return web.Redirect(c, "/admin/users/"+strconv.Itoa(int(id))+"/edit")
	}
	if err != nil {
		return err
	}
	msg := "users.enabled"
	if disabled {
		msg = "users.disabled"
	}
	h.srv.Flash(c, "ok", msg)
	return web.Redirect(c, "/admin/users/"+strconv.Itoa(int(id))+"/edit")
}

func (h *handler) userDisable(c *fiber.Ctx) error { return h.userSetDisabled(c, true) }
func (h *handler) userEnable(c *fiber.Ctx) error  { return h.userSetDisabled(c, false) }

func (h *handler) userResetPassword(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	me := web.MustSubject(c)
	err = h.svc.ResetPassword(c.UserContext(), me.ID, id, c.FormValue("password"))
	if f, ok := apperr.AsFields(err); ok {
		h.srv.Flash(c, "error", f["password"])
		return web.Redirect(c, "/admin/users/"+strconv.Itoa(int(id))+"/edit")
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "users.password_reset")
	return web.Redirect(c, "/admin/users/"+strconv.Itoa(int(id))+"/edit")
}

// --- admin: teams

func (h *handler) teams(c *fiber.Ctx) error {
	l, err := h.lookups(c)
	if err != nil {
		return err
	}
	counts, err := h.svc.MemberCounts(c.UserContext())
	if err != nil {
		return err
	}
	var leaderIDs []uint
	for _, t := range l.Teams {
		if t.LeaderID != nil {
			leaderIDs = append(leaderIDs, *t.LeaderID)
		}
	}
	leaders, err := h.svc.UsersByIDs(c.UserContext(), leaderIDs)
	if err != nil {
		return err
	}
	v := &teamsView{Rows: make([]teamRow, 0, len(l.Teams))}
	for _, t := range l.Teams {
		leader := ""
		if t.LeaderID != nil {
			leader = leaders[*t.LeaderID].Name
		}
		v.Rows = append(v.Rows, teamRow{Team: t, Branch: l.BranchName[t.BranchID], Leader: leader, Members: counts[t.ID]})
	}
	return h.srv.View(c, "org/teams", v)
}

func (h *handler) renderTeamForm(c *fiber.Ctx, status int, id uint, in TeamInput, errs map[string]string, t *Team) error {
	l, err := h.lookups(c)
	if err != nil {
		return err
	}
	reps, err := h.svc.ChiefReps(c.UserContext(), 0)
	if err != nil {
		return err
	}
	return h.srv.ViewStatus(c, status, "org/team_form", &teamFormView{ID: id, Form: in, Errors: errs, Lookups: l, ChiefReps: reps, Team: t})
}

func teamInputFrom(c *fiber.Ctx) TeamInput {
	return TeamInput{Name: c.FormValue("name"), BranchID: web.FormUint(c, "branch_id"), LeaderID: web.FormUint(c, "leader_id"), Version: web.FormInt(c, "version")}
}

func (h *handler) teamNew(c *fiber.Ctx) error {
	return h.renderTeamForm(c, fiber.StatusOK, 0, TeamInput{}, nil, nil)
}

func (h *handler) teamCreate(c *fiber.Ctx) error {
	in := teamInputFrom(c)
	_, err := h.svc.SaveTeam(c.UserContext(), web.MustSubject(c).ID, 0, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderTeamForm(c, status, 0, in, msgs, nil)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, "/admin/teams")
}

func (h *handler) teamEdit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	t, err := h.svc.TeamByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.renderTeamForm(c, fiber.StatusOK, id, TeamInput{Name: t.Name, BranchID: t.BranchID, LeaderID: deref(t.LeaderID), Version: t.Version}, nil, t)
}

func (h *handler) teamUpdate(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	in := teamInputFrom(c)
	_, err = h.svc.SaveTeam(c.UserContext(), web.MustSubject(c).ID, id, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		t, lerr := h.svc.TeamByID(c.UserContext(), id)
		if lerr != nil {
			return lerr
		}
		return h.renderTeamForm(c, status, id, in, msgs, t)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, "/admin/teams")
}

func (h *handler) teamSetActive(c *fiber.Ctx, active bool) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	err = h.svc.SetTeamActive(c.UserContext(), web.MustSubject(c).ID, id, active)
	if f, ok := apperr.AsFields(err); ok {
		h.srv.Flash(c, "error", f["team"])
		return web.Redirect(c, "/admin/teams")
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, "/admin/teams")
}

func (h *handler) teamDisable(c *fiber.Ctx) error { return h.teamSetActive(c, false) }
func (h *handler) teamEnable(c *fiber.Ctx) error  { return h.teamSetActive(c, true) }

// --- admin: branches

func (h *handler) branches(c *fiber.Ctx) error {
	list, err := h.svc.Branches(c.UserContext())
	if err != nil {
		return err
	}
	return h.srv.View(c, "org/branches", &branchesView{Branches: list})
}

func (h *handler) renderBranchForm(c *fiber.Ctx, status int, id uint, in BranchInput, errs map[string]string) error {
	return h.srv.ViewStatus(c, status, "org/branch_form", &branchFormView{ID: id, Form: in, Errors: errs})
}

func (h *handler) branchNew(c *fiber.Ctx) error {
	return h.renderBranchForm(c, fiber.StatusOK, 0, BranchInput{}, nil)
}

func branchInputFrom(c *fiber.Ctx) BranchInput {
	return BranchInput{Code: c.FormValue("code"), Name: c.FormValue("name"), Version: web.FormInt(c, "version")}
}

func (h *handler) branchCreate(c *fiber.Ctx) error {
	in := branchInputFrom(c)
	_, err := h.svc.SaveBranch(c.UserContext(), web.MustSubject(c).ID, 0, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderBranchForm(c, status, 0, in, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, "/admin/branches")
}

func (h *handler) branchEdit(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	b, err := h.svc.BranchByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return h.renderBranchForm(c, fiber.StatusOK, id, BranchInput{Code: b.Code, Name: b.Name, Version: b.Version}, nil)
}

func (h *handler) branchUpdate(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.svc.BranchByID(c.UserContext(), id); err != nil {
		return err
	}
	in := branchInputFrom(c)
	_, err = h.svc.SaveBranch(c.UserContext(), web.MustSubject(c).ID, id, in)
	if msgs, status, ok := h.srv.FormErrors(c, err); ok {
		return h.renderBranchForm(c, status, id, in, msgs)
	}
	if err != nil {
		return err
	}
	h.srv.Flash(c, "ok", "common.saved")
	return web.Redirect(c, "/admin/branches")
}

// --- admin: audit trail

func (h *handler) auditLog(c *fiber.Ctx) error {
	p := web.NewPager(c)
	q := audit.Query{Entity: c.Query("entity"), EntityID: web.QueryID(c, "entity_id"), Limit: p.Size, Offset: p.Offset()}
	entries, total, err := h.svc.AuditEntries(c.UserContext(), q)
	if err != nil {
		return err
	}
	p.Total = total
	// The trail reads in words by default; ?raw=1 shows columns and
	// values as stored, for troubleshooting.
	view, err := h.srv.History.View(c.UserContext(), web.MustSubject(c), web.Lang(c), entries)
	if err != nil {
		return err
	}
	return h.srv.View(c, "org/audit", &auditView{Entries: entries, History: view, Pager: p, Query: q,
		Raw: c.Query("raw") == "1", Entities: h.srv.History.Entities()})
}
