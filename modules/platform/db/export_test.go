package db

import "strings"

// ReplicaUnavailable exposes unavailable to the tests.
var ReplicaUnavailable = unavailable

// Caseless exposes caseless to the tests.
var Caseless = caseless

// Waiting is how many readers wait for a load of key under way (at any
// versions).
func (c *VersionCache[T]) Waiting(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for fk, f := range c.flights {
		if strings.HasSuffix(fk, "|"+key) {
			n += f.waiters
		}
	}
	return n
}
