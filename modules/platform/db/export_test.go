package db

// ReplicaUnavailable exposes unavailable to the tests.
var ReplicaUnavailable = unavailable

// Caseless exposes caseless to the tests.
var Caseless = caseless
