/** Production implementations of the SPI seams: threads and the system clock. */
package io.kvstore.internal.runtime;
