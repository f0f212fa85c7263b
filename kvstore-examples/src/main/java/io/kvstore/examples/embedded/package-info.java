/** Runnable versions of the documentation's snippets, compiled and executed by the tests. */
package io.kvstore.examples.embedded;
