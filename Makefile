# ActorGraph. The two commands: `make run` (Neo4j up, seed loaded, API and explorer on PORT) and
# `make test` (everything, against a separate test Neo4j). Both need only Go, Java 17 and Maven.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PORT ?= 8080
# make run is a local, single-user setup: anonymous callers may query and run read-only Cypher.
ANONYMOUS_ROLE ?= analyst
NEO4J_PORT ?= 7687
NEO4J_DATA_DIR ?= .neo4j/dev
TEST_NEO4J_PORT ?= 7688
TEST_NEO4J_DATA_DIR ?= .neo4j/test
NEO4J := tools/neo4j/neo4j.sh
BIN := bin/actorgraph

export PORT ANONYMOUS_ROLE

.PHONY: run build test neo4j-start neo4j-stop neo4j-fetch generate check-generated vet fmt bench soak

build:
	go build -o $(BIN) .

## neo4j-start: start the local Neo4j (idempotent; returns once Bolt answers)
neo4j-start:
	@NEO4J_PORT=$(NEO4J_PORT) NEO4J_DATA_DIR=$(NEO4J_DATA_DIR) $(NEO4J) start

## neo4j-stop: stop the local Neo4j started by neo4j-start
neo4j-stop:
	@NEO4J_PORT=$(NEO4J_PORT) NEO4J_DATA_DIR=$(NEO4J_DATA_DIR) $(NEO4J) stop

neo4j-fetch:
	@$(NEO4J) fetch

## run: start Neo4j unless one answers on NEO4J_URI, load the seed into an empty database, serve on PORT
run: build
	@if [ -z "$$NEO4J_URI" ]; then $(MAKE) --no-print-directory neo4j-start; fi
	$(BIN) seed --if-empty
	$(BIN) serve

GENERATED := resolvers/generated.go resolvers/models_gen.go

## check-generated: fail when `go tool gqlgen generate` would change the generated code
check-generated:
	@before=$$(sha256sum $(GENERATED)); go tool gqlgen generate; after=$$(sha256sum $(GENERATED)); \
	  if [ "$$before" != "$$after" ]; then echo "generated code was stale: run make generate and commit" >&2; exit 1; fi

## test: a fresh test Neo4j on its own port and folder, go vet, go test -race, then stop it whatever happened
test: check-generated
	@rm -rf $(TEST_NEO4J_DATA_DIR)
	@NEO4J_PORT=$(TEST_NEO4J_PORT) NEO4J_DATA_DIR=$(TEST_NEO4J_DATA_DIR) $(NEO4J) start
	@status=0; \
	  export ACTORGRAPH_TEST_NEO4J_URI=neo4j://127.0.0.1:$(TEST_NEO4J_PORT); \
	  go vet ./... || status=$$?; \
	  if [ $$status -eq 0 ]; then go test -race -p 1 -count=1 -timeout 30m ./... || status=$$?; fi; \
	  NEO4J_PORT=$(TEST_NEO4J_PORT) NEO4J_DATA_DIR=$(TEST_NEO4J_DATA_DIR) $(NEO4J) stop; \
	  exit $$status

generate:
	go tool gqlgen generate

vet:
	go vet ./...

fmt:
	gofmt -l -w $$(git ls-files '*.go')

## bench: the scale benchmark of BENCHMARKS.md (S and M; ActorGraph, raw driver, @neo4j/graphql)
bench:
	bench/run.sh

## soak: 10 minutes of mixed queries at a fixed rate with writers on the scale-M graph (not part of make test)
soak:
	bench/soak.sh
