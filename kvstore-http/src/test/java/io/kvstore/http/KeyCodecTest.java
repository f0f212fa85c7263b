package io.kvstore.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Key decoding rules, including a property: percent-encoding any key decodes back to it. */
class KeyCodecTest {
  @Test
  void decodesEscapesAndKeepsEverythingElse() {
    assertThat(KeyCodec.decode("a%2Fb")).isEqualTo("a/b");
    assertThat(KeyCodec.decode("a/b")).isEqualTo("a/b");
    assertThat(KeyCodec.decode("%E2%9C%93")).isEqualTo("\u2713");
    assertThat(KeyCodec.decode("%e2%9c%93")).isEqualTo("\u2713");
    assertThat(KeyCodec.decode("a+b%20c")).isEqualTo("a+b c");
  }

  @Test
  void refusesMalformedKeys() {
    for (String bad : new String[] {"", "%", "%4", "%zz", "a%g1", "%C3%28", "%FF", "%ED%A0%80"}) {
      assertThatThrownBy(() -> KeyCodec.decode(bad))
          .as(bad)
          .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo("bad_key"));
    }
  }

  @Test
  void percentEncodedUtf8RoundTrips() {
    qt().withExamples(500)
        .forAll(strings().allPossible().ofLengthBetween(1, 40))
        .assuming(KeyCodecTest::isWellFormed)
        .check(key -> KeyCodec.decode(percentEncodeAll(key)).equals(key));
  }

  private static boolean isWellFormed(String s) {
    return StandardCharsets.UTF_8.newEncoder().canEncode(s);
  }

  private static String percentEncodeAll(String key) {
    StringBuilder out = new StringBuilder();
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      out.append('%').append(String.format("%02X", b & 0xFF));
    }
    return out.toString();
  }
}
