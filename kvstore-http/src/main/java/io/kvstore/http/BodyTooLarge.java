package io.kvstore.http;

/**
 * Sent down the pipeline in place of a request whose body exceeds the limit, so that its 413 is
 * answered in request order like any other response.
 *
 * @param method the request method
 * @param uri the request target
 * @param limitBytes the body limit
 */
record BodyTooLarge(String method, String uri, int limitBytes) {}
