package profiles

import "testing"

// The PAC file's version follows its content: the same rules give the
// same version, so the system proxy is not set again for nothing; new
// rules give a new one, so desktops fetch the file again.
func TestPACVersion(t *testing.T) {
	p := New("Work")
	p.Rules = []string{"DOMAIN-SUFFIX,example.com,direct"}
	same := p.Clone()
	edited := p.Clone()
	edited.Rules = append(edited.Rules, "DOMAIN,ads.example.net,block")
	udpOnly := p.Clone()
	udpOnly.Rules = append(udpOnly.Rules, "NETWORK,udp,block") // a browser never meets it

	v := p.PACVersion()
	if v == "" || same.PACVersion() != v {
		t.Fatalf("versions of one profile: %q and %q", v, same.PACVersion())
	}
	if edited.PACVersion() == v {
		t.Errorf("a new rule kept version %q", v)
	}
	if udpOnly.PACVersion() != v {
		t.Errorf("a rule the PAC file leaves out changed the version: %q, was %q", udpOnly.PACVersion(), v)
	}
	broken := p.Clone()
	broken.Rules = []string{"NOT-A-RULE,x,direct"}
	if got := broken.PACVersion(); got != "" {
		t.Errorf("rules that do not parse have version %q", got)
	}
}
