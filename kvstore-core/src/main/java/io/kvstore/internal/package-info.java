/** Implementation of kvstore. Not an API: everything here may change in any release. */
package io.kvstore.internal;
