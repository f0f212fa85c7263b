/**
 * The {@code kvstore} command line (picocli): {@code node} runs one node in the foreground, {@code
 * cluster} supervises local node processes. {@link io.kvstore.examples.cli.KvstoreCli} is the
 * shaded jar's main class and the entry point of {@code bin/kvstore}.
 */
package io.kvstore.examples.cli;
