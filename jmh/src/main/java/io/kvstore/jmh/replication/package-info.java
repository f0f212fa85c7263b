/** Benchmarks of the replication protocol on in-memory replicas, without sockets. */
package io.kvstore.jmh.replication;
