# Jike CRM. `make run` starts the portal with demo data on the embedded
# database; `make test` runs every test (see .ci/test.sh).
.PHONY: run test e2e bench lint build clean

run:
	go run ./cmd/jike serve --demo

test:
	bash .ci/test.sh

# Only the browser journeys, verbose.
e2e:
	JIKE_REQUIRE_BROWSER=1 go test -count=1 -v -run TestE2E ./cmd/jike/

bench:
	go test -run '^$$' -bench . -benchmem ./...

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
