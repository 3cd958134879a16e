package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/web"
	"github.com/jike-crm/jike/modules/prospects"
)

// Contact is a customer's key person (关键人). Phone numbers are masked
// (138****5678) for readers who would see them masked in the portal.
type Contact struct {
	ID           uint      `json:"id"`
	CustomerID   uint      `json:"customer_id"`
	Name         string    `json:"name"`
	Title        string    `json:"title"`
	Mobile       string    `json:"mobile"`
	Phone        string    `json:"phone"`
	PhonesMasked bool      `json:"phones_masked"`
	Email        string    `json:"email"`
	Role         string    `json:"role" enum:"decision,influencer,user,gatekeeper"`
	Attitude     string    `json:"attitude" enum:"supporter,neutral,opponent"`
	Birthday     *string   `json:"birthday" format:"date"`
	Preferences  string    `json:"preferences"`
	Notes        string    `json:"notes"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// ContactInput is the body of POST /customers/{id}/contacts and, with
// every field optional, of PATCH /contacts/{id}.
type ContactInput struct {
	Name        *string `json:"name,omitempty"`
	Title       *string `json:"title,omitempty"`
	Mobile      *string `json:"mobile,omitempty"`
	Phone       *string `json:"phone,omitempty"`
	Email       *string `json:"email,omitempty"`
	Role        *string `json:"role,omitempty" enum:"decision,influencer,user,gatekeeper"`
	Attitude    *string `json:"attitude,omitempty" enum:"supporter,neutral,opponent"`
	Birthday    *string `json:"birthday,omitempty" format:"date" doc:"YYYY-MM-DD; empty string clears it."`
	Preferences *string `json:"preferences,omitempty"`
	Notes       *string `json:"notes,omitempty"`
	// ConfirmSameName saves although the customer has a key person of the
	// same name.
	ConfirmSameName bool `json:"confirm_same_name,omitempty"`
}

func (in ContactInput) apply(f *prospects.ContactInput) {
	for _, p := range []struct {
		dst *string
		v   *string
	}{{&f.Name, in.Name}, {&f.Title, in.Title}, {&f.Mobile, in.Mobile}, {&f.Phone, in.Phone}, {&f.Email, in.Email},
		{&f.Role, in.Role}, {&f.Attitude, in.Attitude}, {&f.Birthday, in.Birthday}, {&f.Preferences, in.Preferences},
		{&f.Notes, in.Notes}} {
		if p.v != nil {
			*p.dst = *p.v
		}
	}
	f.Confirm = in.ConfirmSameName
}

func (a *API) contact(ct *prospects.Contact, full bool) Contact {
	out := Contact{ID: ct.ID, CustomerID: ct.CustomerID, Name: ct.Name, Title: ct.Title, Mobile: ct.Mobile, Phone: ct.Phone,
		Email: ct.Email, Role: ct.Role, Attitude: ct.Attitude, Preferences: ct.Preferences, Notes: ct.Notes,
		Version: ct.Version, CreatedAt: a.ts(ct.CreatedAt), UpdatedAt: a.ts(ct.UpdatedAt)}
	if ct.Birthday != nil {
		d := ct.Birthday.Format("2006-01-02")
		out.Birthday = &d
	}
	if !full {
		out.Mobile, out.Phone, out.PhonesMasked = prospects.MaskPhone(ct.Mobile), prospects.MaskPhone(ct.Phone), true
	}
	return out
}

func (a *API) routesContacts() {
	read, write := web.Allow("customer", "read"), web.Allow("customer", "write")
	a.add(fiber.MethodGet, "/customers/:id/contacts", read, Op{ID: "listContacts", Tag: "key persons",
		Summary: "A customer's key persons, in the order they were added", Result: Contact{}, List: true, Query: pageParams}, a.listContacts)
	a.add(fiber.MethodPost, "/customers/:id/contacts", write, Op{ID: "createContact", Tag: "key persons",
		Summary: "Add a key person", Body: ContactInput{}, Status: 201, Result: Contact{}, Versioned: true, Errors: []int{409}}, create(a.createContact))
	a.add(fiber.MethodGet, "/contacts/:id", read, Op{ID: "getContact", Tag: "key persons", Summary: "One key person",
		Result: Contact{}, Versioned: true}, get(a.getContact))
	a.add(fiber.MethodPatch, "/contacts/:id", write, Op{ID: "updateContact", Tag: "key persons", Summary: "Change a key person",
		Body: ContactInput{}, Result: Contact{}, Versioned: true, Update: true, Errors: []int{409}}, update(a.updateContact))
}

func (a *API) listContacts(c *fiber.Ctx) error {
	id, err := web.ParamID(c, "id")
	if err != nil {
		return err
	}
	ctx, me := ctxOf(c), subject(c)
	cu, err := a.deps.Prospects.Customer(ctx, me, id)
	if err != nil {
		return err
	}
	rows, err := a.deps.Prospects.Contacts(ctx, me, id)
	if err != nil {
		return err
	}
	full := a.deps.Prospects.CanSeePhones(ctx, me, cu)
	return byID(c, rows, func(ct *prospects.Contact) uint { return ct.ID },
		func(ct *prospects.Contact) Contact { return a.contact(ct, full) })
}

// contactAnswer is a key person as an answer, phones masked as the
// portal would show them to the reader.
func (a *API) contactAnswer(c *fiber.Ctx, ct *prospects.Contact, cu *prospects.Customer) answer {
	return answer{Body: a.contact(ct, a.deps.Prospects.CanSeePhones(ctxOf(c), subject(c), cu)), Version: ct.Version}
}

func (a *API) getContact(c *fiber.Ctx, id uint) (answer, error) {
	ct, cu, err := a.deps.Prospects.Contact(ctxOf(c), subject(c), id)
	if err != nil {
		return answer{}, err
	}
	return a.contactAnswer(c, ct, cu), nil
}

func (a *API) createContact(c *fiber.Ctx, w *change[ContactInput]) (answer, error) {
	var form prospects.ContactInput
	w.In.apply(&form)
	ctx, me := ctxOf(c), subject(c)
	ct, err := a.deps.Prospects.SaveContact(ctx, me, w.ID, 0, form)
	if err != nil {
		return answer{}, err
	}
	cu, err := a.deps.Prospects.Customer(ctx, me, w.ID)
	if err != nil {
		return answer{}, err
	}
	out := a.contactAnswer(c, ct, cu)
	out.Location = Prefix + "/contacts/" + itoa(ct.ID)
	return out, nil
}

func (a *API) updateContact(c *fiber.Ctx, w *change[ContactInput]) (answer, error) {
	ctx, me := ctxOf(c), subject(c)
	ct, cu, err := a.deps.Prospects.Contact(ctx, me, w.ID)
	if err != nil {
		return answer{}, err
	}
	form := prospects.ContactInput{Name: ct.Name, Title: ct.Title, Mobile: ct.Mobile, Phone: ct.Phone, Email: ct.Email,
		Role: ct.Role, Attitude: ct.Attitude, Preferences: ct.Preferences, Notes: ct.Notes, Version: w.Version}
	if ct.Birthday != nil {
		form.Birthday = ct.Birthday.Format("2006-01-02")
	}
	w.In.apply(&form)
	ct, err = a.deps.Prospects.SaveContact(ctx, me, cu.ID, w.ID, form)
	if err != nil {
		return answer{}, err
	}
	return a.contactAnswer(c, ct, cu), nil
}
