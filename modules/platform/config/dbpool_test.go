package config

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDBPoolDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DBMaxOpenConns != 20 || c.DBMaxIdleConns != 20 || c.DBConnMaxLifetime != 0 {
		t.Fatalf("pool defaults: open %d idle %d lifetime %s, want 20 20 0", c.DBMaxOpenConns, c.DBMaxIdleConns, c.DBConnMaxLifetime)
	}
}

func TestDBPoolParsed(t *testing.T) {
	c, err := Load(env(map[string]string{"JIKE_DB_MAX_OPEN_CONNS": " 16 ", "JIKE_DB_MAX_IDLE_CONNS": "16", "JIKE_DB_CONN_MAX_LIFETIME": "30m"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.DBMaxOpenConns != 16 || c.DBMaxIdleConns != 16 || c.DBConnMaxLifetime != 30*time.Minute {
		t.Fatalf("got open %d idle %d lifetime %s", c.DBMaxOpenConns, c.DBMaxIdleConns, c.DBConnMaxLifetime)
	}
	// An idle count not given is the open count, up or down; one given
	// stays as given.
	for _, open := range []int{4, 40} {
		c, err = Load(env(map[string]string{"JIKE_DB_MAX_OPEN_CONNS": strconv.Itoa(open)}))
		if err != nil || c.Validate() != nil || c.DBMaxIdleConns != open {
			t.Fatalf("open %d alone: idle %d, err %v / %v", open, c.DBMaxIdleConns, err, c.Validate())
		}
	}
	c, err = Load(env(map[string]string{"JIKE_DB_MAX_OPEN_CONNS": "16", "JIKE_DB_MAX_IDLE_CONNS": "8"}))
	if err != nil || c.Validate() != nil || c.DBMaxIdleConns != 8 {
		t.Fatalf("open 16 idle 8: idle %d, err %v / %v", c.DBMaxIdleConns, err, c.Validate())
	}
}

func TestDBPoolRejected(t *testing.T) {
	unparsable := []map[string]string{
		{"JIKE_DB_MAX_OPEN_CONNS": "twenty"},
		{"JIKE_DB_MAX_OPEN_CONNS": "2.5"},
		{"JIKE_DB_MAX_IDLE_CONNS": "10 conns"},
		{"JIKE_DB_CONN_MAX_LIFETIME": "30"},
		{"JIKE_DB_CONN_MAX_LIFETIME": "soon"},
	}
	for _, m := range unparsable {
		_, err := Load(env(m))
		if err == nil {
			t.Errorf("%v: want a load error", m)
			continue
		}
		for k := range m {
			if !strings.Contains(err.Error(), k) {
				t.Errorf("%v: error %q does not name %s", m, err, k)
			}
		}
	}
	out := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"JIKE_DB_MAX_OPEN_CONNS": "0"}, "JIKE_DB_MAX_OPEN_CONNS=0 must be between 1 and 1000"},
		{map[string]string{"JIKE_DB_MAX_OPEN_CONNS": "5000"}, "JIKE_DB_MAX_OPEN_CONNS=5000 must be between 1 and 1000"},
		{map[string]string{"JIKE_DB_MAX_OPEN_CONNS": "-3"}, "JIKE_DB_MAX_OPEN_CONNS=-3"},
		{map[string]string{"JIKE_DB_MAX_OPEN_CONNS": "8", "JIKE_DB_MAX_IDLE_CONNS": "9"}, "JIKE_DB_MAX_IDLE_CONNS=9 must be between 1 and JIKE_DB_MAX_OPEN_CONNS (8)"},
		{map[string]string{"JIKE_DB_MAX_IDLE_CONNS": "0"}, "JIKE_DB_MAX_IDLE_CONNS=0"},
		{map[string]string{"JIKE_DB_CONN_MAX_LIFETIME": "10s"}, "JIKE_DB_CONN_MAX_LIFETIME=10s must be 0"},
		{map[string]string{"JIKE_DB_CONN_MAX_LIFETIME": "48h"}, "JIKE_DB_CONN_MAX_LIFETIME=48h0m0s must be 0"},
	}
	for _, tc := range out {
		c, err := Load(env(tc.env))
		if err != nil {
			t.Errorf("%v: load: %v", tc.env, err)
			continue
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: want an error with %q, got %v", tc.env, tc.want, err)
		}
	}
	// Zero lifetime is valid: connections are not closed for their age.
	if c, err := Load(env(map[string]string{"JIKE_DB_CONN_MAX_LIFETIME": "0"})); err != nil || c.Validate() != nil {
		t.Fatalf("lifetime 0: %v", err)
	}
}
