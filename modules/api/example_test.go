package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

// client is a minimal Jike API client: a base URL and a personal access
// token from /settings/tokens (never put the token in a URL).
type client struct {
	base, token string
}

func (c client) do(method, path string, body any, etag string, out any) (*http.Response, error) {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequest(method, c.base+path, &buf)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept-Language", "zh-CN")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if etag != "" {
		req.Header.Set("If-Match", etag)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode >= 400 {
		var p struct{ Code, Title, Detail string }
		_ = json.NewDecoder(res.Body).Decode(&p)
		return res, fmt.Errorf("%s %s: %d %s: %s", method, path, res.StatusCode, p.Code, p.Detail)
	}
	return res, json.NewDecoder(res.Body).Decode(out)
}

// Example_client lists an account manager's customers (following the
// cursor) and records a visit: the token's user sees exactly what they
// see in the portal.
func Example_client() {
	c := client{base: "http://localhost:8080/api/v1", token: os.Getenv("JIKE_TOKEN")}
	var me struct {
		ID uint `json:"id"`
	}
	if _, err := c.do("GET", "/me", nil, "", &me); err != nil {
		fmt.Println(err)
		return
	}
	cursor := ""
	for {
		var page struct {
			Data []struct {
				ID              uint   `json:"id"`
				Name            string `json:"name"`
				AnnualSpendYuan string `json:"annual_spend_yuan"`
			} `json:"data"`
			NextCursor *string `json:"next_cursor"`
		}
		path := fmt.Sprintf("/customers?owner_id=%d&sort=name&limit=100", me.ID)
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		if _, err := c.do("GET", path, nil, "", &page); err != nil {
			fmt.Println(err)
			return
		}
		for _, cu := range page.Data {
			fmt.Println(cu.ID, cu.Name, cu.AnnualSpendYuan)
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	// Record what happened at visit 42 (its time has come).
	var visit struct {
		Status string `json:"status"`
	}
	record := map[string]string{"discussed": "确认了专线扩容需求", "attitude": "positive",
		"next_step": "下周提交方案", "next_date": "2026-12-08", "next_kind": "demo"}
	if _, err := c.do("POST", "/visits/42/record", record, "", &visit); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("visit", visit.Status)
}
