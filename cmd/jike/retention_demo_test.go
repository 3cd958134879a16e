package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jike-crm/jike/modules/platform/db"
	"github.com/jike-crm/jike/modules/retention"
)

// TestRetentionDemo: after the demo seed liwei's home lists an open
// retention alert, zhaomin's queue lists the team's alerts with one
// escalated to the chief rep, one alert carries an outcome, and the
// customer risk page explains the score.
func TestRetentionDemo(t *testing.T) {
	t.Parallel()
	eachDemoDB(t, func(t *testing.T, d *db.DB) {
		a := demoAppOn(t, d)
		var alerts []retention.Alert
		d.Gorm.Order("id").Find(&alerts)
		escalated, outcome := 0, 0
		for _, al := range alerts {
			if al.Escalation > 0 {
				escalated++
			}
			if al.Outcome != "" {
				outcome++
			}
		}
		if len(alerts) < 3 || escalated < 1 || outcome < 1 {
			t.Fatalf("demo alerts: %d, escalated %d, with an outcome %d", len(alerts), escalated, outcome)
		}
		home := loggedIn(t, a, "liwei").Get("/")
		if home.Status != http.StatusOK || !strings.Contains(home.Body, `id="retention-panel"`) || !strings.Contains(home.Body, "/retention/alerts/") {
			t.Fatalf("liwei's home: %d", home.Status)
		}
		q := loggedIn(t, a, "zhaomin").Get("/retention?status=all")
		if q.Status != http.StatusOK || !strings.Contains(q.Body, "已升级至首席客户代表") || !strings.Contains(q.Body, "部分挽留") {
			t.Fatalf("zhaomin's queue: %d", q.Status)
		}
		var mine retention.Alert
		if err := d.Gorm.Where("owner_id = ? AND status = ?", subject(t, a, "liwei").ID, retention.StatusOpen).Order("id").First(&mine).Error; err != nil {
			t.Fatal(err)
		}
		t.Logf("%d demo alerts", len(alerts))
		risk := loggedIn(t, a, "liwei").Get("/customers/" + itoa(mine.CustomerID) + "/retention")
		if risk.Status != http.StatusOK || !strings.Contains(risk.Body, "data-factor=") {
			t.Fatalf("risk page: %d", risk.Status)
		}
	})
}
