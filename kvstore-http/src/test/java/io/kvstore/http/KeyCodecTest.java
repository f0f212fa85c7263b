package io.kvstore.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

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
      assertThatThrownBy(() -> KeyCodec.decodeMemberId(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              ApiError.class, e -> assertThat(e.code()).isEqualTo("bad_member_id"));
    }
  }

  @Test
  void percentEncodedUtf8RoundTrips() {
    // Keys are built from code points outside the surrogate range, so every one is well-formed
    // UTF-16 (filtering arbitrary strings instead can run out of examples and fail at random).
    qt().withExamples(500)
        .forAll(lists().of(scalarValues()).ofSizeBetween(1, 40))
        .check(
            codePoints -> {
              String key = toKey(codePoints);
              return KeyCodec.decode(percentEncodeAll(key)).equals(key)
                  && KeyCodec.decodeMemberId(percentEncodeAll(key)).equals(key);
            });
  }

  /** Unicode scalar values: every code point but the surrogates. */
  private static Gen<Integer> scalarValues() {
    int surrogates = 0xE000 - 0xD800;
    return integers()
        .between(0, Character.MAX_CODE_POINT - surrogates)
        .map(cp -> cp < 0xD800 ? cp : cp + surrogates);
  }

  private static String toKey(List<Integer> codePoints) {
    StringBuilder key = new StringBuilder();
    for (int cp : codePoints) {
      key.appendCodePoint(cp);
    }
    return key.toString();
  }

  private static String percentEncodeAll(String key) {
    StringBuilder out = new StringBuilder();
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      out.append('%').append(String.format("%02X", b & 0xFF));
    }
    return out.toString();
  }
}
