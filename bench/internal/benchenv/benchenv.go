// Package benchenv holds what the benchmark commands share: where the benchmark Neo4j is, how to open the
// project's store on it, where results go, and how its server processes are started and stopped.
package benchenv

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/actorgraph/actorgraph/bench/gen"
	"github.com/actorgraph/actorgraph/graph"
)

// Defaults of the benchmark's own Neo4j (tools/neo4j/neo4j.sh with NEO4J_PORT=7690).
const (
	DefaultURI     = "neo4j://127.0.0.1:7690"
	DefaultPidFile = ".neo4j/bench/neo4j.pid"
	OutDir         = "bench/out"
)

// StoreConfig is the store configuration the service uses by default, pointed at uri, with logs discarded
// unless verbose.
func StoreConfig(uri string, verbose bool) graph.Config {
	cfg := graph.DefaultConfig()
	cfg.URI = uri
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if verbose {
		cfg.Logger = slog.Default()
	}
	return cfg
}

// OpenStore opens the store and waits until Neo4j answers and the schema is applied.
func OpenStore(cfg graph.Config, wait time.Duration) (*graph.Store, error) {
	s, err := graph.Open(cfg)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	for {
		err := s.Ready(context.Background())
		if err == nil {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Close(context.Background())
			return nil, fmt.Errorf("neo4j at %s not ready after %s: %w", cfg.URI, wait, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// SamplePath is where the import command writes the sample of a scale, and the load command reads it.
func SamplePath(scale string) string { return filepath.Join(OutDir, scale, "sample.json") }

// WriteJSON writes v as indented JSON, creating the folder.
func WriteJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// ReadSample reads a sample written by the import command.
func ReadSample(path string) (*gen.Sample, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s gen.Sample
	return &s, json.Unmarshal(b, &s)
}
