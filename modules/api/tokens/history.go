package tokens

import (
	"context"
	"fmt"

	"github.com/jike-crm/jike/modules/platform/audit"
	"github.com/jike-crm/jike/modules/platform/db"
)

// DescribeHistory tells the history how a token's creation and revocation
// read. A token is named (by its name and prefix) to its owner and to
// those who manage users; to anyone else it is "（无权查看）".
func DescribeHistory(h *audit.History, svc *Service) error {
	err := h.Describe(audit.Entity{Name: "api_token", Label: "audit.entity.api_token", Model: &Token{},
		Actions: []string{"revoke"},
		Fields: []audit.Field{
			audit.Hidden("id"),
			audit.Ref("user_id", "api.token.f.user", "user"),
			audit.Text("name", "api.token.f.name"),
			audit.Text("prefix", "api.token.f.prefix"),
			audit.Secret("token_hash", "api.token.f.token_hash"),
			audit.Bool("read_only", "api.token.f.read_only"),
			audit.DateTime("expires_at", "api.token.f.expires_at"),
			audit.Hidden("last_used_at"),
			audit.DateTime("revoked_at", "api.token.f.revoked_at"),
			audit.Ref("revoked_by", "api.token.f.revoked_by", "user"),
			audit.Hidden("created_at"),
		}})
	if err != nil {
		return err
	}
	h.Resolve("api_token", func(ctx context.Context, r audit.Reader, ids []uint) (map[uint]audit.Name, error) {
		var list []Token
		if err := db.Conn(ctx, svc.store.db).Where("id IN ?", ids).Find(&list).Error; err != nil {
			return nil, fmt.Errorf("name tokens: %w", err)
		}
		admin := svc.enf.CanRoute(r.Subject, "user", "manage")
		out := make(map[uint]audit.Name, len(list))
		for _, t := range list {
			if t.UserID != r.Subject.ID && !admin {
				continue
			}
			link := "/settings/tokens"
			if admin {
				link = "/admin/tokens"
			}
			out[t.ID] = audit.Name{Text: t.Name + " (" + t.Prefix + "…)", Link: link}
		}
		return out, nil
	})
	return nil
}
