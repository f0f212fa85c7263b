package io.kvstore.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately dumb HTTP/1.1 client over a plain socket, for what real clients refuse to do:
 * pipelining, malformed requests, garbage, headers without their body. Every read is bounded by a
 * socket timeout.
 */
final class RawHttp implements AutoCloseable {
  private static final int TIMEOUT_MILLIS = 5_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(TIMEOUT_MILLIS);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** A response as read off the wire. */
  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  RawHttp send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  RawHttp send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Reads one response (status line, headers, Content-Length body). */
  Response read() throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 0; i < 200; i++) {
      String h = line();
      if (h == null || h.isEmpty()) {
        break;
      }
      int colon = h.indexOf(':');
      headers.put(
          h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  /** Whether the server closed the connection (end of stream or reset) within the timeout. */
  boolean closedByServer() throws IOException {
    return closedByServerWithin(java.time.Duration.ofMillis(TIMEOUT_MILLIS));
  }

  /**
   * Whether the server closed the connection within {@code wait}; bytes before the end are skipped.
   */
  boolean closedByServerWithin(java.time.Duration wait) throws IOException {
    socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
    try {
      for (int i = 0; i < 1_000_000; i++) {
        if (in.read() == -1) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset
    } finally {
      socket.setSoTimeout(TIMEOUT_MILLIS);
    }
  }

  /** Reads one response, or returns {@code null} if the server closed the connection instead. */
  Response readOrNull() throws IOException {
    try {
      return read();
    } catch (SocketException e) {
      return null;
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("connection closed")) {
        return null;
      }
      throw e;
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    for (int i = 0; i < 64 * 1024; i++) {
      int b = in.read();
      if (b == -1) {
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
      }
      if (b == '\n') {
        String s = buf.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      buf.write(b);
    }
    throw new IOException("line too long");
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** Sends one request on a fresh connection and reads its response. */
  static Response exchange(int port, String request) throws IOException {
    try (RawHttp raw = new RawHttp(port)) {
      return raw.send(request).read();
    }
  }

  /** A request with {@code Connection: close} and an optional body. */
  static String request(String method, String target, String body) {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    return method
        + " "
        + target
        + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        + (body == null ? "" : "Content-Length: " + bytes.length + "\r\n")
        + "\r\n"
        + (body == null ? "" : new String(bytes, StandardCharsets.ISO_8859_1));
  }
}
