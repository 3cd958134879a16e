package prospects

import (
	"github.com/jike-crm/jike/modules/org"
	"github.com/jike-crm/jike/modules/platform/web"
)

// customerView is the customer page (prospects/customer).
type customerView struct {
	web.Page
	C *Customer
	// Chain holds the key persons by role; Roles orders the roles.
	Chain       map[string][]contactView
	Roles       []string
	HasContacts bool
	Opps        []Opportunity
	Timeline    []timelineView
	// Users names the owner, the chief rep and the timeline's actors.
	Users map[uint]org.User
	Team  *org.Team
	// FullPhones: the reader sees phone numbers unmasked.
	FullPhones  bool
	CanWrite    bool
	CanReassign bool
	CanDelete   bool
	QualAnswers []string
	// Links and Actions are what other modules registered for the page.
	Links   []CustomerLink
	Actions []CustomerLink
}

// contactView is a key person with the numbers the reader may see.
type contactView struct {
	Contact
	MobileShown, PhoneShown string
}

// timelineView is a timeline entry in the reader's words.
type timelineView struct {
	TimelineEntry
	Text  string
	Actor string
}
