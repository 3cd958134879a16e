package config

import (
	"slices"
	"strings"
	"testing"
)

// TestContractSettings: the contract settings' defaults, overrides and
// the messages for bad values.
func TestContractSettings(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxAttachmentMB != 20 || c.ContractPrefix != "HT" || c.ContractChiefApproval != 100_000_00 ||
		c.ContractDirectorApproval != 1_000_000_00 || !slices.Equal(c.ContractReminderDays, []int{90, 60, 30}) || c.ContractApprover != "" {
		t.Fatalf("contract defaults: %+v", c)
	}
	c, err = Load(env(map[string]string{"JIKE_MAX_ATTACHMENT_MB": "5", "JIKE_CONTRACT_PREFIX": "XY", "JIKE_CONTRACT_APPROVAL_CHIEF": "50000",
		"JIKE_CONTRACT_APPROVAL_DIRECTOR": "800000", "JIKE_CONTRACT_REMINDER_DAYS": "120, 45", "JIKE_CONTRACT_APPROVER": "fuzong"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.MaxAttachmentMB != 5 || c.ContractPrefix != "XY" || c.ContractChiefApproval != 50_000_00 || c.ContractDirectorApproval != 800_000_00 ||
		!slices.Equal(c.ContractReminderDays, []int{120, 45}) || c.ContractApprover != "fuzong" {
		t.Fatalf("contract overrides: %+v", c)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"JIKE_MAX_ATTACHMENT_MB": "lots"}, "JIKE_MAX_ATTACHMENT_MB"},
		{map[string]string{"JIKE_MAX_ATTACHMENT_MB": "0"}, "JIKE_MAX_ATTACHMENT_MB"},
		{map[string]string{"JIKE_CONTRACT_PREFIX": "h-t"}, "JIKE_CONTRACT_PREFIX"},
		{map[string]string{"JIKE_CONTRACT_REMINDER_DAYS": "90,soon"}, "JIKE_CONTRACT_REMINDER_DAYS"},
		{map[string]string{"JIKE_CONTRACT_APPROVAL_CHIEF": "abc"}, "JIKE_CONTRACT_APPROVAL_CHIEF"},
		{map[string]string{"JIKE_CONTRACT_APPROVAL_CHIEF": "900000", "JIKE_CONTRACT_APPROVAL_DIRECTOR": "900000"}, "JIKE_CONTRACT_APPROVAL_DIRECTOR"},
	} {
		c, err := Load(env(tc.env))
		if err == nil {
			err = c.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: want an error naming %s, got %v", tc.env, tc.want, err)
		}
	}
}
