// Package prospects owns group customers (集团客户), their key persons
// (关键人), the four-sign qualification (潜在客户判断), opportunities (商机)
// and the pipeline with its stage history. It imports platform packages and
// reads users and teams through the small OrgDirectory interface, so that
// it never imports the org module's internals. Later modules add entries
// to a customer's timeline through Timeline.Register.
package prospects
