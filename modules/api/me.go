package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/web"
)

// Me is the token's user and the token itself.
type Me struct {
	ID       uint    `json:"id"`
	Username string  `json:"username"`
	Name     string  `json:"name"`
	Role     string  `json:"role" enum:"account_manager,chief_rep,director,admin"`
	TeamID   *uint   `json:"team_id"`
	BranchID *uint   `json:"branch_id"`
	Lang     string  `json:"lang"`
	Token    MeToken `json:"token"`
}

// MeToken is the token a request was made with.
type MeToken struct {
	ID        uint      `json:"id"`
	Name      string    `json:"name"`
	ReadOnly  bool      `json:"read_only"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (a *API) routesMe() {
	a.add(fiber.MethodGet, "/me", web.LoggedIn(), Op{ID: "me", Tag: "me", Summary: "Who the token belongs to", Result: Me{}}, a.me)
}

func (a *API) me(c *fiber.Ctx) error {
	me, tok := subject(c), tokenOf(c)
	out := Me{ID: me.ID, Username: me.Username, Name: me.Name, Role: me.Role, Lang: me.Lang,
		Token: MeToken{ID: tok.ID, Name: tok.Name, ReadOnly: tok.ReadOnly, ExpiresAt: a.ts(tok.ExpiresAt)}}
	if me.TeamID != 0 {
		out.TeamID = &me.TeamID
	}
	if me.BranchID != 0 {
		out.BranchID = &me.BranchID
	}
	return send(c, fiber.StatusOK, out)
}
