/** Benchmarks of the wire codec: message records to protobuf envelope bytes and back. */
package io.kvstore.jmh.codec;
