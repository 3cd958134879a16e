package api

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jike-crm/jike/modules/platform/web"
)

// Param is a query parameter of an operation.
type Param struct {
	Name string
	// Type is "string", "integer" or "boolean".
	Type string
	Enum []string
	Doc  string
}

// Op is the OpenAPI side of a route, declared next to its handler.
type Op struct {
	ID      string
	Summary string
	Tag     string
	Query   []Param
	// Body is the request body's Go type (nil: none).
	Body any
	// Upload: the body is a file (CSV or xlsx, as itself or as the "file"
	// part of a multipart form).
	Upload bool
	// Status is the success status (0: 200); Also are other success
	// statuses with the same body (a dry run's 200 next to a commit's 201).
	Status int
	Also   []int
	// Result is the success body's Go type; List wraps it in the list
	// envelope. Nil with Media set: a download of that media type.
	Result any
	List   bool
	Media  string
	// Versioned: the answer carries an ETag; Update: If-Match required.
	Versioned, Update bool
	// Errors are the problem statuses besides 401/403/429 (which every
	// route may answer).
	Errors []int
}

// route is one registered API route.
type route struct {
	Method, Path string
	Perm         web.Perm
	Op           Op
}

// add registers a route on the router with its permission and records its
// operation for the document.
func (a *API) add(method, path string, perm web.Perm, op Op, h fiber.Handler) {
	a.routes = append(a.routes, &route{Method: method, Path: path, Perm: perm, Op: op})
	switch method {
	case fiber.MethodGet:
		a.r.Get(path, perm, h)
	case fiber.MethodPost:
		a.r.Post(path, perm, h)
	case fiber.MethodPut:
		a.r.Put(path, perm, h)
	case fiber.MethodPatch:
		a.r.Patch(path, perm, h)
	case fiber.MethodDelete:
		a.r.Delete(path, perm, h)
	default:
		panic("api: method " + method)
	}
}

// Routes lists the API's routes as registered (path without Prefix).
func (a *API) Routes() []RouteDoc {
	out := make([]RouteDoc, 0, len(a.routes))
	for _, r := range a.routes {
		out = append(out, RouteDoc{Method: r.Method, Path: r.Path, Perm: r.Perm.String(), Op: r.Op})
	}
	return out
}

// RouteDoc is a route for the reference page and tests.
type RouteDoc struct {
	Method, Path, Perm string
	Op                 Op
}

var pathParam = regexp.MustCompile(`:([a-zA-Z_]+)`)

// OpenAPIPath is a fiber path in OpenAPI's notation (/customers/{id}).
func OpenAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

// Schema is a JSON Schema (2020-12, as OpenAPI 3.1 uses it).
type Schema struct {
	Ref                  string             `json:"$ref,omitempty"`
	Type                 any                `json:"type,omitempty"`
	Format               string             `json:"format,omitempty"`
	Description          string             `json:"description,omitempty"`
	Enum                 []any              `json:"enum,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	Required             []string           `json:"required,omitempty"`
	Items                *Schema            `json:"items,omitempty"`
	AdditionalProperties *bool              `json:"additionalProperties,omitempty"`
	Minimum              *float64           `json:"minimum,omitempty"`
	Maximum              *float64           `json:"maximum,omitempty"`
	OneOf                []*Schema          `json:"oneOf,omitempty"`
}

// schemas builds component schemas from Go types by reflection: a struct
// is an object of its json fields (required unless omitempty, or
// `api:"optional"`); a pointer may be null; time.Time is a date-time;
// `enum:"a,b"`, `format:"date"` and `doc:"…"` tags add what Go cannot say.
type schemas struct {
	defs map[string]*Schema
}

func (s *schemas) ref(t reflect.Type) *Schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name := schemaName(t)
	if _, ok := s.defs[name]; !ok {
		s.defs[name] = nil // break cycles
		s.defs[name] = s.object(t)
	}
	return &Schema{Ref: "#/components/schemas/" + name}
}

func schemaName(t reflect.Type) string {
	n := t.Name()
	if i := strings.IndexByte(n, '['); i >= 0 {
		n = n[:i]
	}
	return strings.ToUpper(n[:1]) + n[1:]
}

var timeType = reflect.TypeOf(time.Time{})

func reflectType(v any) reflect.Type { return reflect.TypeOf(v) }

func (s *schemas) object(t reflect.Type) *Schema {
	no := false
	out := &Schema{Type: "object", Properties: map[string]*Schema{}, AdditionalProperties: &no}
	s.fields(t, out)
	sort.Strings(out.Required)
	return out
}

// fields adds t's json fields to out; an embedded struct without a json
// name is inlined, as encoding/json does (a list's row is the record
// plus the names the list shows).
func (s *schemas) fields(t reflect.Type, out *Schema) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			s.fields(f.Type, out)
			continue
		}
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		p := s.of(f.Type, f.Tag)
		out.Properties[name] = p
		if !strings.Contains(opts, "omitempty") && f.Tag.Get("api") != "optional" {
			out.Required = append(out.Required, name)
		}
	}
}

func (s *schemas) of(t reflect.Type, tag reflect.StructTag) *Schema {
	nullable := false
	if t.Kind() == reflect.Pointer {
		nullable, t = true, t.Elem()
	}
	var out *Schema
	switch {
	case t == timeType:
		out = &Schema{Type: "string", Format: "date-time"}
	case t.Kind() == reflect.Struct:
		out = s.ref(t)
		if nullable {
			return &Schema{OneOf: []*Schema{out, {Type: "null"}}, Description: tag.Get("doc")}
		}
	case t.Kind() == reflect.Slice:
		out = &Schema{Type: "array", Items: s.of(t.Elem(), "")}
	case t.Kind() == reflect.Map:
		yes := true
		out = &Schema{Type: "object", AdditionalProperties: &yes}
	case t.Kind() == reflect.String:
		out = &Schema{Type: "string", Format: tag.Get("format")}
	case t.Kind() == reflect.Bool:
		out = &Schema{Type: "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		out = &Schema{Type: "integer", Format: "int64"}
		if t.Kind() >= reflect.Uint {
			zero := 0.0
			out.Minimum = &zero
		}
	case t.Kind() == reflect.Float64 || t.Kind() == reflect.Float32:
		out = &Schema{Type: "number"}
	case t.Kind() == reflect.Interface:
		out = &Schema{}
	default:
		panic(fmt.Sprintf("api: no schema for %s", t))
	}
	if e := tag.Get("enum"); e != "" {
		for _, v := range strings.Split(e, ",") {
			out.Enum = append(out.Enum, v)
		}
	}
	out.Description = tag.Get("doc")
	if nullable && out.Ref == "" {
		out.Type = []string{out.Type.(string), "null"}
		if out.Enum != nil {
			out.Enum = append(out.Enum, nil)
		}
	}
	return out
}

// Document is the OpenAPI 3.1 document.
type Document struct {
	OpenAPI    string                          `json:"openapi"`
	Info       map[string]any                  `json:"info"`
	Servers    []map[string]string             `json:"servers"`
	Paths      map[string]map[string]Operation `json:"paths"`
	Components map[string]any                  `json:"components"`
	Security   []map[string][]string           `json:"security"`
	Tags       []map[string]string             `json:"tags"`
}

// Operation is one operation of the document.
type Operation struct {
	OperationID string                    `json:"operationId"`
	Summary     string                    `json:"summary"`
	Tags        []string                  `json:"tags"`
	Parameters  []map[string]any          `json:"parameters,omitempty"`
	RequestBody map[string]any            `json:"requestBody,omitempty"`
	Responses   map[string]map[string]any `json:"responses"`
	// Permission is the route's permission declaration (obj:act).
	Permission string `json:"x-jike-permission"`
}

func problemResponse(desc string) map[string]any {
	return map[string]any{"description": desc, "content": map[string]any{
		MIMEProblem: map[string]any{"schema": map[string]string{"$ref": "#/components/schemas/Problem"}}}}
}

var statusText = map[int]string{
	400: "Bad request (invalid JSON, cursor)", 401: "No valid token", 403: "Not allowed (policy, read-only token)",
	404: "Not found or out of scope", 409: "Conflict (duplicate, idempotency key in use)", 412: "Stale If-Match",
	413: "The body is too large", 415: "Body is not JSON (or not a file type the route takes)", 422: "Invalid fields",
	428: "If-Match missing", 429: "Rate limited", 503: "Busy or not available; retry later",
}

// Spec builds the OpenAPI document from the registered routes.
func (a *API) Spec() *Document {
	sc := &schemas{defs: map[string]*Schema{}}
	sc.ref(reflect.TypeOf(Problem{}))
	doc := &Document{
		OpenAPI: "3.1.0",
		Info: map[string]any{"title": "Jike CRM API", "version": "1.0.0",
			"description": "集客 CRM REST API. Authentication: personal access tokens (Authorization: Bearer). See /api/docs and docs/api.md."},
		Servers:  []map[string]string{{"url": Prefix}},
		Paths:    map[string]map[string]Operation{},
		Security: []map[string][]string{{"bearer": {}}},
	}
	tags := map[string]bool{}
	for _, r := range a.routes {
		op := Operation{OperationID: r.Op.ID, Summary: r.Op.Summary, Tags: []string{r.Op.Tag}, Permission: r.Perm.String(),
			Responses: map[string]map[string]any{}}
		tags[r.Op.Tag] = true
		for _, m := range pathParam.FindAllStringSubmatch(r.Path, -1) {
			op.Parameters = append(op.Parameters, map[string]any{"name": m[1], "in": "path", "required": true,
				"schema": map[string]any{"type": "integer", "minimum": 1}})
		}
		for _, q := range r.Op.Query {
			s := map[string]any{"type": q.Type}
			if len(q.Enum) > 0 {
				s["enum"] = q.Enum
			}
			op.Parameters = append(op.Parameters, map[string]any{"name": q.Name, "in": "query", "required": false,
				"schema": s, "description": q.Doc})
		}
		if r.Op.Update {
			op.Parameters = append(op.Parameters, map[string]any{"name": "If-Match", "in": "header", "required": true,
				"schema": map[string]string{"type": "string"}, "description": "The ETag of the version the change is based on."})
		}
		if r.Method == fiber.MethodPost {
			op.Parameters = append(op.Parameters, map[string]any{"name": HeaderIdempotencyKey, "in": "header", "required": false,
				"schema": map[string]any{"type": "string", "maxLength": 200}, "description": "Makes a retried POST return the first answer."})
		}
		if r.Op.Body != nil {
			op.RequestBody = map[string]any{"required": true, "content": map[string]any{
				fiber.MIMEApplicationJSON: map[string]any{"schema": sc.ref(reflect.TypeOf(r.Op.Body))}}}
		}
		if r.Op.Upload {
			file := map[string]any{"schema": map[string]string{"type": "string", "format": "binary"}}
			op.RequestBody = map[string]any{"required": true, "content": map[string]any{
				"text/csv": file, MIMEXLSX: file, fiber.MIMEOctetStream: file,
				fiber.MIMEMultipartForm: map[string]any{"schema": map[string]any{"type": "object", "required": []string{"file"},
					"properties": map[string]any{"file": map[string]string{"type": "string", "format": "binary"}}}}}}
		}
		status := r.Op.Status
		if status == 0 {
			status = 200
		}
		okResp := map[string]any{"description": "OK"}
		switch {
		case r.Op.Result != nil && r.Op.List:
			item := sc.ref(reflect.TypeOf(r.Op.Result))
			no := false
			zero := 0.0
			okResp["content"] = map[string]any{fiber.MIMEApplicationJSON: map[string]any{"schema": &Schema{
				Type: "object", AdditionalProperties: &no, Required: []string{"data", "next_cursor"},
				Properties: map[string]*Schema{
					"data":         {Type: "array", Items: item},
					"next_cursor":  {Type: []string{"string", "null"}, Description: "Pass as ?cursor= for the next page; null on the last."},
					"total":        {Type: "integer", Minimum: &zero, Description: "Rows matching, where cheap to count."},
					"total_capped": {Type: "boolean", Description: "The total stopped counting: it is a lower bound."},
				}}}}
		case r.Op.Result != nil:
			okResp["content"] = map[string]any{fiber.MIMEApplicationJSON: map[string]any{"schema": sc.ref(reflect.TypeOf(r.Op.Result))}}
		case r.Op.Media != "":
			okResp["content"] = map[string]any{r.Op.Media: map[string]any{"schema": map[string]string{"type": "string", "format": "binary"}}}
		}
		if r.Op.Versioned {
			okResp["headers"] = map[string]any{"ETag": map[string]any{"description": "The record's version; send it back in If-Match.",
				"schema": map[string]string{"type": "string"}}}
		}
		op.Responses[strconv.Itoa(status)] = okResp
		for _, also := range r.Op.Also {
			op.Responses[strconv.Itoa(also)] = okResp
		}
		errs := append([]int{401, 403, 429}, r.Op.Errors...)
		if r.Op.Body != nil {
			errs = append(errs, 400, 413, 415, 422)
		}
		if r.Op.Update {
			errs = append(errs, 412, 428)
		}
		for _, q := range r.Op.Query {
			errs = append(errs, 422)
			if q.Name == "cursor" {
				errs = append(errs, 400)
			}
		}
		if strings.Contains(r.Path, ":") {
			errs = append(errs, 404)
		}
		for _, e := range errs {
			op.Responses[strconv.Itoa(e)] = problemResponse(statusText[e])
		}
		p := OpenAPIPath(r.Path)
		if doc.Paths[p] == nil {
			doc.Paths[p] = map[string]Operation{}
		}
		doc.Paths[p][strings.ToLower(r.Method)] = op
	}
	// The document's own route is a route like the others.
	doc.Paths["/openapi.json"] = map[string]Operation{"get": {OperationID: "openapi", Summary: "This document", Tags: []string{"meta"},
		Permission: web.LoggedIn().String(), Responses: map[string]map[string]any{
			"200": {"description": "OpenAPI 3.1 document", "content": map[string]any{fiber.MIMEApplicationJSON: map[string]any{"schema": map[string]string{"type": "object"}}}},
			"401": problemResponse(statusText[401]), "403": problemResponse(statusText[403]), "429": problemResponse(statusText[429])}}}
	tags["meta"] = true
	names := make([]string, 0, len(tags))
	for t := range tags {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		doc.Tags = append(doc.Tags, map[string]string{"name": t})
	}
	doc.Components = map[string]any{
		"schemas": sc.defs,
		"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
			"description": "A personal access token from /settings/tokens. Never in the query string."}},
	}
	return doc
}
