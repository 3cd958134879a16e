package main

import (
	"context"

	"github.com/jike-crm/jike/modules/visits"
)

// renderBrief renders the pre-visit brief as PDF (platform/pdf). Until
// that package lands the PDF link answers 503.
var renderBrief visits.BriefRenderer

var _ = context.Background
