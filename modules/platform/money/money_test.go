package money

import "testing"

func TestParse(t *testing.T) {
	good := map[string]Fen{
		"0": 0, "1": 100, "12345.6": 1234560, "12,345.67": 1234567, "¥1 000": 100000,
		"￥3.05元": 305, "-3": -300, ".5": 50, "1000000000000": 100000000000000, "7.": 700,
	}
	for in, want := range good {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1.234", "1e5", "--1", "1.2.3", "1000000000001", "￥", "."} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) should fail", in)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := map[Fen]string{0: "0.00", 5: "0.05", 100: "1.00", 123456789: "1,234,567.89", -150: "-1.50", 100000: "1,000.00"}
	for in, want := range cases {
		if got := in.String(); got != want {
			t.Errorf("%d.String() = %q want %q", in, got, want)
		}
	}
	if Fen(123456789).Plain() != "1234567.89" || Fen(5).Yuan() != "¥0.05" {
		t.Fatal("Plain/Yuan")
	}
	for _, f := range []Fen{0, 1, 99, 100, 123456789, -42} {
		back, err := Parse(f.String())
		if err != nil || back != f {
			t.Errorf("round trip %d → %q → %d %v", f, f.String(), back, err)
		}
	}
}
