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
	// Parents is the chain of groups above the customer, top first.
	Parents []Breadcrumb
	// Tree (the first level of members) and Rollup (figures over the
	// whole subtree) are set when the customer has members.
	Tree         *treeLevel
	Rollup       *Rollup
	RevenueMonth string
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
