package io.kvstore.net.codec;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kvstore.net.TransportMetrics;
import io.kvstore.net.TransportMetrics.Counter;
import io.kvstore.net.proto.Envelope;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.util.List;

/**
 * TCP framing: every frame is a 4-byte big-endian length (of the payload only) followed by one
 * serialized {@link Envelope}. A length above the frame limit fails at once, before the payload is
 * buffered; a negative length or an unparsable payload is garbage. Either way the caller closes the
 * connection (see {@link #classify}).
 *
 * <p>Pitfalls: the frame decoder keeps state and is created per channel; the envelope decoder and
 * encoder are stateless and shared by the channels of one transport.
 */
public final class FrameCodec {
  /** Bytes in the length prefix. */
  public static final int LENGTH_PREFIX_BYTES = 4;

  private final int maxFrameBytes;
  private final EnvelopeDecoder decoder;
  private final EnvelopeEncoder encoder;

  /**
   * Creates the codec of one transport.
   *
   * @param maxFrameBytes the largest payload accepted or sent, in bytes (prefix excluded)
   * @param metrics where TCP traffic is counted
   */
  public FrameCodec(int maxFrameBytes, TransportMetrics metrics) {
    if (maxFrameBytes <= 0) {
      throw new IllegalArgumentException("maxFrameBytes must be positive: " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
    this.decoder = new EnvelopeDecoder(metrics);
    this.encoder = new EnvelopeEncoder(metrics);
  }

  /** The largest payload accepted or sent, in bytes. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** Adds the frame decoder, envelope decoder and envelope encoder to {@code pipeline}. */
  public void addTo(ChannelPipeline pipeline) {
    pipeline.addLast(
        "frameDecoder",
        new LengthFieldBasedFrameDecoder(
            maxFrameBytes + LENGTH_PREFIX_BYTES,
            0,
            LENGTH_PREFIX_BYTES,
            0,
            LENGTH_PREFIX_BYTES,
            true));
    pipeline.addLast("envelopeDecoder", decoder);
    pipeline.addLast("envelopeEncoder", encoder);
  }

  /**
   * The drop counter a pipeline failure belongs to: {@code DROPPED_OVERSIZE} for a length prefix
   * above the limit, {@code DROPPED_GARBAGE} for any other decoding failure, or {@code null} for
   * failures that are not the peer's bytes' fault (I/O errors, resets).
   */
  public static Counter classify(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof TooLongFrameException) {
        return Counter.DROPPED_OVERSIZE;
      }
      if (t instanceof CorruptedFrameException
          || t instanceof InvalidProtocolBufferException
          || t instanceof ProtoDecodeException) {
        return Counter.DROPPED_GARBAGE;
      }
    }
    return cause instanceof DecoderException ? Counter.DROPPED_GARBAGE : null;
  }

  /** One frame's payload to an {@link Envelope}; counts inbound TCP bytes. */
  @Sharable
  static final class EnvelopeDecoder extends MessageToMessageDecoder<ByteBuf> {
    private final TransportMetrics metrics;

    EnvelopeDecoder(TransportMetrics metrics) {
      super(ByteBuf.class);
      this.metrics = metrics;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out)
        throws InvalidProtocolBufferException {
      metrics.add(Counter.TCP_BYTES_IN, frame.readableBytes() + (long) LENGTH_PREFIX_BYTES);
      // The superclass releases the frame after this returns; parsing copies what it keeps.
      // Parsing from an array is protobuf's fastest path: a direct buffer would be wrapped, sliced,
      // duplicated and then copied to an array anyway.
      int length = frame.readableBytes();
      if (frame.hasArray()) {
        out.add(Envelope.parser().parseFrom(frame.array(), frame.arrayOffset() + frame.readerIndex(), length));
      } else {
        byte[] bytes = new byte[length];
        frame.getBytes(frame.readerIndex(), bytes);
        out.add(Envelope.parser().parseFrom(bytes));
      }
    }
  }

  /** An {@link Envelope} to a length-prefixed frame; counts outbound TCP messages and bytes. */
  @Sharable
  static final class EnvelopeEncoder extends MessageToByteEncoder<Envelope> {
    private final TransportMetrics metrics;

    EnvelopeEncoder(TransportMetrics metrics) {
      super(Envelope.class);
      this.metrics = metrics;
    }

    @Override
    protected ByteBuf allocateBuffer(
        ChannelHandlerContext ctx, Envelope msg, boolean preferDirect) {
      return ctx.alloc().ioBuffer(LENGTH_PREFIX_BYTES + msg.getSerializedSize());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Envelope msg, ByteBuf out) throws IOException {
      int size = msg.getSerializedSize();
      out.writeInt(size);
      writeEnvelope(msg, size, out);
      metrics.increment(Counter.TCP_MESSAGES_OUT);
      metrics.add(Counter.TCP_BYTES_OUT, LENGTH_PREFIX_BYTES + (long) size);
    }
  }

  /**
   * Serializes {@code envelope} ({@code size} bytes, its serialized size) at {@code out}'s writer
   * index and advances it.
   */
  public static void writeEnvelope(Envelope envelope, int size, ByteBuf out) throws IOException {
    out.ensureWritable(size);
    int index = out.writerIndex();
    CodedOutputStream cos = CodedOutputStream.newInstance(out.nioBuffer(index, size));
    envelope.writeTo(cos);
    cos.flush();
    out.writerIndex(index + size);
  }
}
