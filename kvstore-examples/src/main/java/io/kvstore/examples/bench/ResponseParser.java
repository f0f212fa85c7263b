package io.kvstore.examples.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Splits the bytes of an HTTP/1.1 connection into responses: status line, headers, and a body
 * delimited by {@code Content-Length} or chunked transfer encoding. Only what the load generator
 * reads is kept: the status and, when asked, the body.
 *
 * <p>The generator does not use Netty's HTTP codec for this: it builds header maps and message
 * objects for every response, and on a two-core machine shared with the cluster under test that
 * work is taken from the nodes being measured.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop.
 */
final class ResponseParser {
  /** The longest status line plus headers accepted. */
  static final int MAX_HEAD_BYTES = 64 * 1024;

  /** Thrown when the bytes are not an HTTP/1.1 response the parser understands. */
  static final class MalformedResponseException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedResponseException(String message) {
      super(message);
    }
  }

  private enum State {
    HEAD,
    BODY,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_END,
    TRAILER
  }

  private final int maxBodyBytes;
  private State state = State.HEAD;
  private int status;
  private long remaining;
  private boolean keepBody;
  private ByteBuf body;

  /**
   * A parser for one connection.
   *
   * @param maxBodyBytes the largest body accepted
   */
  ResponseParser(int maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Receives each whole response. */
  interface Sink {
    /**
     * Called once per response, in order.
     *
     * @param status the status code
     * @param body the body if it was asked for (released by the parser after the call), else null
     */
    void response(int status, ByteBuf body);

    /** Whether the body of the next response is wanted. */
    boolean wantsBody();
  }

  /**
   * Consumes what it can of {@code in}, calling {@code sink} for every whole response; leaves a
   * partial response's unread bytes in {@code in}.
   *
   * @throws MalformedResponseException if the bytes are not a valid response
   */
  void parse(ByteBuf in, Sink sink) throws MalformedResponseException {
    while (true) {
      switch (state) {
        case HEAD:
          {
            int head = parseHead(in, sink);
            if (head == NEED_MORE) {
              return;
            }
            if (head == FINAL && state == State.HEAD) {
              finish(sink); // no body
            }
            break;
          }
        case BODY:
          if (!copyBody(in)) {
            return;
          }
          finish(sink);
          break;
        case CHUNK_SIZE:
          {
            String line = line(in, 1024);
            if (line == null) {
              return;
            }
            int semi = line.indexOf(';');
            String hex = (semi >= 0 ? line.substring(0, semi) : line).trim();
            try {
              remaining = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
              throw new MalformedResponseException("bad chunk size: " + line);
            }
            if (remaining < 0 || size() + remaining > maxBodyBytes) {
              throw new MalformedResponseException("body over " + maxBodyBytes + " bytes");
            }
            state = remaining == 0 ? State.TRAILER : State.CHUNK_DATA;
            break;
          }
        case CHUNK_DATA:
          if (!copyBody(in)) {
            return;
          }
          state = State.CHUNK_END;
          break;
        case CHUNK_END:
          {
            String line = line(in, 2);
            if (line == null) {
              return;
            }
            if (!line.isEmpty()) {
              throw new MalformedResponseException("chunk not followed by CRLF");
            }
            state = State.CHUNK_SIZE;
            break;
          }
        case TRAILER:
          {
            String line = line(in, MAX_HEAD_BYTES);
            if (line == null) {
              return;
            }
            if (line.isEmpty()) {
              finish(sink);
            }
            break;
          }
        default:
          throw new AssertionError(state);
      }
    }
  }

  /** Frees a body being collected; the parser is not used after. */
  void release() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  private int size() {
    return body == null ? 0 : body.readableBytes();
  }

  private static final int NEED_MORE = 0;
  private static final int INTERIM = 1;
  private static final int FINAL = 2;

  /**
   * Parses the status line and headers if they are all there: {@link #NEED_MORE}, {@link #INTERIM}
   * for a 1xx response (its final response follows), or {@link #FINAL}.
   */
  private int parseHead(ByteBuf in, Sink sink) throws MalformedResponseException {
    int start = in.readerIndex();
    int end = endOfHead(in);
    if (end < 0) {
      if (in.readableBytes() > MAX_HEAD_BYTES) {
        throw new MalformedResponseException("response head over " + MAX_HEAD_BYTES + " bytes");
      }
      return NEED_MORE;
    }
    String head = in.toString(start, end - start, StandardCharsets.ISO_8859_1);
    in.readerIndex(end + 4);
    int firstLineEnd = head.indexOf("\r\n");
    String statusLine = firstLineEnd < 0 ? head : head.substring(0, firstLineEnd);
    if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
      throw new MalformedResponseException("not an HTTP/1.x status line: " + statusLine);
    }
    try {
      status = Integer.parseInt(statusLine.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new MalformedResponseException("bad status line: " + statusLine);
    }
    long length = -1;
    boolean chunked = false;
    int pos = firstLineEnd < 0 ? head.length() : firstLineEnd + 2;
    while (pos < head.length()) {
      int eol = head.indexOf("\r\n", pos);
      if (eol < 0) {
        eol = head.length();
      }
      int colon = head.indexOf(':', pos);
      // Only two headers matter; the others are skipped without copying them out.
      if (colon > pos && colon < eol) {
        if (isHeader(head, pos, colon, "content-length")) {
          String value = head.substring(colon + 1, eol).trim();
          try {
            length = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new MalformedResponseException("bad Content-Length: " + value);
          }
        } else if (isHeader(head, pos, colon, "transfer-encoding")) {
          chunked = head.substring(colon + 1, eol).toLowerCase(Locale.ROOT).contains("chunked");
        }
      }
      pos = eol + 2;
    }
    if (status >= 100 && status < 200) {
      return INTERIM;
    }
    keepBody = sink.wantsBody();
    if (status == 204 || status == 304) {
      state = State.HEAD;
    } else if (chunked) {
      state = State.CHUNK_SIZE;
    } else if (length >= 0) {
      if (length > maxBodyBytes) {
        throw new MalformedResponseException("body over " + maxBodyBytes + " bytes");
      }
      remaining = length;
      state = length == 0 ? State.HEAD : State.BODY;
    } else {
      throw new MalformedResponseException("response without Content-Length or chunked body");
    }
    return FINAL;
  }

  /** Whether the header name in {@code head} from {@code from} to {@code colon} is {@code name}. */
  private static boolean isHeader(String head, int from, int colon, String name) {
    int end = colon;
    while (end > from && head.charAt(end - 1) == ' ') {
      end--;
    }
    return end - from == name.length() && head.regionMatches(true, from, name, 0, name.length());
  }

  private static int endOfHead(ByteBuf in) {
    int from = in.readerIndex();
    int to = in.writerIndex();
    for (int i = in.indexOf(from, to, (byte) '\n'); i >= 0; i = in.indexOf(i + 1, to, (byte) '\n')) {
      if (i + 2 < to && in.getByte(i + 1) == '\r' && in.getByte(i + 2) == '\n' && i > from) {
        return i - 1; // index of the '\r' of the blank line's preceding CRLF
      }
    }
    return -1;
  }

  /** Moves body bytes; true once {@code remaining} reached zero. */
  private boolean copyBody(ByteBuf in) {
    int n = (int) Math.min(remaining, in.readableBytes());
    if (keepBody && n > 0) {
      if (body == null) {
        body = Unpooled.buffer(n);
      }
      body.writeBytes(in, n);
    } else {
      in.skipBytes(n);
    }
    remaining -= n;
    return remaining == 0;
  }

  private void finish(Sink sink) {
    ByteBuf b = keepBody ? (body == null ? Unpooled.EMPTY_BUFFER : body) : null;
    body = null;
    state = State.HEAD;
    int s = status;
    try {
      sink.response(s, b);
    } finally {
      if (b != null) {
        b.release();
      }
    }
  }

  /** A CRLF-terminated line without its CRLF, or null if it is not all there. */
  private static String line(ByteBuf in, int max) throws MalformedResponseException {
    int from = in.readerIndex();
    int lf = in.indexOf(from, in.writerIndex(), (byte) '\n');
    if (lf < 0) {
      if (in.readableBytes() > max + 2) {
        throw new MalformedResponseException("line over " + max + " bytes");
      }
      return null;
    }
    int end = lf > from && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
    String s = in.toString(from, end - from, StandardCharsets.ISO_8859_1);
    in.readerIndex(lf + 1);
    return s;
  }
}
