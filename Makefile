# Jike CRM. `make run` starts the portal with demo data on the embedded
# database; `make test` runs every test (see .ci/test.sh).
.PHONY: run test e2e bench loadtest lint build clean

run:
	go run ./cmd/jike serve --demo

test:
	bash .ci/test.sh

# Only the browser journeys, verbose.
e2e:
	JIKE_REQUIRE_BROWSER=1 go test -count=1 -v -run TestE2E ./cmd/jike/

bench:
	go test -run '^$$' -bench . -benchmem ./...

# The load test (docs/performance.md § Load test): every main page per
# role at 1 and 32 connections against a running server, e.g.
#   make loadtest LOADTEST_URL=http://127.0.0.1:8080 LOADTEST_ARGS='--duration 5s'
LOADTEST_URL ?= http://127.0.0.1:8080
LOADTEST_ARGS ?=
loadtest:
	go run ./cmd/jike bench --url $(LOADTEST_URL) $(LOADTEST_ARGS)

# staticcheck at a fixed version (go run fetches it through the module
# proxy once, then from the module cache).
STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint:
	@test -z "$$(gofmt -l cmd modules templates policies migrations static)" || (gofmt -l cmd modules templates policies migrations static; exit 1)
	go mod tidy -diff
	go vet ./...
	go run $(STATICCHECK) ./...

build:
	CGO_ENABLED=0 go build -trimpath -o jike ./cmd/jike

clean:
	rm -rf jike data
