/** In-memory storage of partitions. Each partition is confined to one event loop: no locks. */
package io.kvstore.internal.storage;
