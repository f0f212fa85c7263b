package io.kvstore.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResponseParserTest {
  /** Records responses; wants the body of every response whose index is even. */
  private static final class Recorder implements ResponseParser.Sink {
    final List<String> seen = new ArrayList<>();

    @Override
    public void response(int status, ByteBuf body) {
      seen.add(status + (body == null ? "" : ":" + body.toString(StandardCharsets.UTF_8)));
    }

    @Override
    public boolean wantsBody() {
      return seen.size() % 2 == 0;
    }
  }

  private static final String STREAM =
      "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 13\r\n\r\n"
          + "{\"version\":7}"
          + "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}"
          + "HTTP/1.1 100 Continue\r\n\r\n"
          + "HTTP/1.1 204 No Content\r\n\r\n"
          + "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\nx-trailer: 1\r\n\r\n"
          + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
          + "HTTP/1.1 409 Conflict\r\nTRANSFER-ENCODING: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n";

  private static final List<String> EXPECTED =
      List.of("200:{\"version\":7}", "404", "204:", "503", "200:", "409");

  private static List<String> parseInPieces(byte[] bytes, int[] cuts) throws Exception {
    ResponseParser parser = new ResponseParser(1024);
    Recorder sink = new Recorder();
    ByteBuf acc = Unpooled.buffer();
    int from = 0;
    for (int cut : cuts) {
      acc.writeBytes(bytes, from, cut - from);
      from = cut;
      parser.parse(acc, sink);
      acc.discardReadBytes();
    }
    acc.writeBytes(bytes, from, bytes.length - from);
    parser.parse(acc, sink);
    assertThat(acc.readableBytes()).isZero();
    return sink.seen;
  }

  @Test
  void parsesLengthChunkedEmptyAndInterimResponsesInOrder() throws Exception {
    byte[] bytes = STREAM.getBytes(StandardCharsets.ISO_8859_1);
    assertThat(parseInPieces(bytes, new int[0])).isEqualTo(EXPECTED);
  }

  @Test
  void givesTheSameResponsesWhereverTheBytesAreSplit() throws Exception {
    byte[] bytes = STREAM.getBytes(StandardCharsets.ISO_8859_1);
    for (int cut = 1; cut < bytes.length; cut++) {
      assertThat(parseInPieces(bytes, new int[] {cut})).as("split at %d", cut).isEqualTo(EXPECTED);
    }
    Random random = new Random(42);
    for (int run = 0; run < 200; run++) {
      int[] cuts = random.ints(8, 1, bytes.length).sorted().distinct().toArray();
      assertThat(parseInPieces(bytes, cuts)).as("cuts %s", java.util.Arrays.toString(cuts))
          .isEqualTo(EXPECTED);
    }
  }

  @Test
  void waitsForTheRestOfAPartialResponse() throws Exception {
    ResponseParser parser = new ResponseParser(1024);
    Recorder sink = new Recorder();
    ByteBuf in = Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", StandardCharsets.US_ASCII);
    parser.parse(in, sink);
    assertThat(sink.seen).isEmpty();
    in.writeBytes("cde".getBytes(StandardCharsets.US_ASCII));
    parser.parse(in, sink);
    assertThat(sink.seen).containsExactly("200:abcde");
  }

  @Test
  void refusesWhatIsNotAResponseItUnderstands() {
    assertMalformed("GET / HTTP/1.1\r\n\r\n");
    assertMalformed("HTTP/1.1 2x0 OK\r\ncontent-length: 0\r\n\r\n");
    assertMalformed("HTTP/1.1 200 OK\r\n\r\n"); // no length: the body would run to the close
    assertMalformed("HTTP/1.1 200 OK\r\ncontent-length: nope\r\n\r\n");
    assertMalformed("HTTP/1.1 200 OK\r\ncontent-length: 2000\r\n\r\n"); // over the limit
    assertMalformed("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n");
    assertMalformed("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc\r\n");
    assertMalformed("HTTP/1.1 200 OK\r\nx: " + "y".repeat(ResponseParser.MAX_HEAD_BYTES));
  }

  private static void assertMalformed(String text) {
    ResponseParser parser = new ResponseParser(1024);
    ByteBuf in = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> parser.parse(in, new Recorder()))
        .as(text.length() > 80 ? text.substring(0, 80) : text)
        .isInstanceOf(ResponseParser.MalformedResponseException.class);
  }
}
