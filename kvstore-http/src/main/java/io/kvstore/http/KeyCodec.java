package io.kvstore.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes the key part of {@code /kv/{key}}: everything after {@code /kv/} up to the query, with
 * {@code %XX} escapes decoded as UTF-8 bytes. A raw {@code /} is part of the key ({@code /kv/a/b}
 * and {@code /kv/a%2Fb} both name {@code a/b}); {@code +} is a plus sign, not a space. The member
 * id of {@code /cluster/members/{id}} is decoded by the same rules ({@code %23} is the {@code #} of
 * a full id, which a raw URL would treat as the start of a fragment).
 *
 * <p>Pure and stateless.
 */
final class KeyCodec {
  private KeyCodec() {}

  /**
   * Decodes an encoded key.
   *
   * @throws ApiError {@code bad_key} for an empty key, a malformed escape or bytes that are not
   *     UTF-8
   */
  static String decode(String encoded) {
    return decode(encoded, "bad_key", "key");
  }

  /**
   * Decodes an encoded member id or name.
   *
   * @throws ApiError {@code bad_member_id} for an empty id, a malformed escape or bytes that are
   *     not UTF-8
   */
  static String decodeMemberId(String encoded) {
    return decode(encoded, "bad_member_id", "member id");
  }

  private static String decode(String encoded, String code, String what) {
    if (encoded.isEmpty()) {
      throw ApiError.badRequest(code, what + " must not be empty");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%') {
        int hi = i + 1 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
        int lo = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw ApiError.badRequest(
              code, "malformed percent-encoding in " + what + " at offset " + i + ": expected %XX");
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else if (c <= 0xFF) {
        // The request line arrives as ISO-8859-1: each char is one byte as sent.
        bytes.write(c);
      } else {
        throw ApiError.badRequest(code, what + " contains a character outside ISO-8859-1");
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw ApiError.badRequest(code, what + " is not valid UTF-8 after percent-decoding");
    }
  }
}
