/** Key to partition mapping: pure, stable functions. */
package io.kvstore.internal.partition;
