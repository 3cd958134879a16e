package db

// ReplicaUnavailable exposes unavailable to the tests.
var ReplicaUnavailable = unavailable
