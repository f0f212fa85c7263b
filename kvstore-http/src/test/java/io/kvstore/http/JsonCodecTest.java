package io.kvstore.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Exact number handling of the JSON codec. */
class JsonCodecTest {
  private final JsonCodec json = new JsonCodec();

  private String roundTrip(String valueText) {
    byte[] body = ("{\"value\": " + valueText + "}").getBytes(StandardCharsets.UTF_8);
    byte[] stored = json.encodeValue(json.parseValueBody(body));
    return new String(json.write(json.decodeStored(stored)), StandardCharsets.UTF_8);
  }

  @Test
  void decimalsKeepValueAndScale() {
    qt().withExamples(300)
        .forAll(longs().all(), integers().between(-400, 400))
        .check(
            (unscaled, scale) -> {
              BigDecimal d = new BigDecimal(BigInteger.valueOf(unscaled), scale);
              String shown = roundTrip(d.toString());
              BigDecimal back = new BigDecimal(shown);
              return back.equals(d);
            });
  }

  @Test
  void hugeIntegersStayExact() {
    String big = "9".repeat(300);
    assertThat(roundTrip(big)).isEqualTo(big);
    assertThat(roundTrip("-" + big)).isEqualTo("-" + big);
  }

  @Test
  void nonJsonBytesBecomeAString() {
    byte[] stored = {'a', '{', (byte) 0xC3, (byte) 0xA9};
    assertThat(json.decodeStored(stored).asText()).isEqualTo("a{\u00e9");
  }
}
