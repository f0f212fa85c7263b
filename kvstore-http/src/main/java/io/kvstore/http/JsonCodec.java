package io.kvstore.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON in and out of the adapter. Values are kept exactly: integers of any size stay {@code
 * BigInteger}s, decimals stay {@code BigDecimal}s with their scale (no trailing-zero stripping), so
 * {@code 0.1} and {@code 1e400} come back as the same numbers. A stored value is the compact JSON
 * text of the request's {@code value}.
 *
 * <p>Thread-safe (the mapper is configured once and then only used).
 */
final class JsonCodec {
  private final ObjectMapper mapper =
      JsonMapper.builder()
          // Emoji and other supplementary characters are written as UTF-8, not as escaped surrogate
          // pairs.
          .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          // Exact decimals: keep the scale (1.10 stays 1.10), the successor of
          // JsonNodeFactory.withExactBigDecimals(true).
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  /** A fresh object node for building a response. */
  ObjectNode object() {
    return mapper.createObjectNode();
  }

  /**
   * Extracts {@code value} from a {@code {"value": ...}} request body.
   *
   * @throws ApiError {@code malformed_json}, {@code not_an_object} or {@code missing_value}
   */
  JsonNode parseValueBody(byte[] body) {
    JsonNode root = parseObjectBody(body, "{\"value\": <JSON>}");
    JsonNode value = root.get("value");
    if (value == null) {
      throw ApiError.badRequest("missing_value", "request body has no \"value\" field");
    }
    return value;
  }

  /**
   * Parses a request body that must be a JSON object, described as {@code shape} in errors.
   *
   * @throws ApiError {@code malformed_json} or {@code not_an_object}
   */
  JsonNode parseObjectBody(byte[] body, String shape) {
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JacksonException e) {
      throw ApiError.badRequest(
          "malformed_json", "request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiError.badRequest(
          "malformed_json", "request body is not valid JSON: " + e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw ApiError.badRequest("malformed_json", "request body is empty; expected " + shape);
    }
    if (!root.isObject()) {
      throw ApiError.badRequest(
          "not_an_object", "request body must be a JSON object " + shape + ", not " + kind(root));
    }
    return root;
  }

  /** The compact UTF-8 JSON text of a value, as stored. */
  byte[] encodeValue(JsonNode value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (IOException e) {
      // Only strings Jackson cannot write as UTF-8 (a lone surrogate escape) get here.
      throw ApiError.badRequest(
          "malformed_json", "value cannot be encoded as UTF-8 JSON: " + e.getMessage());
    }
  }

  /**
   * The JSON value of stored bytes. Bytes that are not JSON (written by an application through the
   * Java API) are returned as a JSON string of their UTF-8 decoding.
   */
  JsonNode decodeStored(byte[] stored) {
    try {
      JsonNode node = mapper.readTree(stored);
      if (node != null && !node.isMissingNode()) {
        return node;
      }
    } catch (IOException | RuntimeException e) {
      // Not JSON: fall through and show the bytes as text.
    }
    return TextNode.valueOf(new String(stored, StandardCharsets.UTF_8));
  }

  /** Serialises a response node. */
  byte[] write(JsonNode node) {
    try {
      return mapper.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The body of an error response: {@code {"error": code, "message": message}}. */
  ObjectNode error(String code, String message) {
    ObjectNode node = object();
    node.put("error", code);
    node.put("message", message);
    return node;
  }

  private static String kind(JsonNode node) {
    if (node.isArray()) {
      return "an array";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    return node.isNull()
        ? "null"
        : "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
