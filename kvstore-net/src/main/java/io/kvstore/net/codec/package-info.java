/**
 * The wire codec: {@link io.kvstore.net.codec.ProtoMapper} maps the core's message records to and
 * from protobuf (pure functions, the only place both meet), {@link io.kvstore.net.codec.FrameCodec}
 * frames envelopes on TCP, and the version policy lives in {@link
 * io.kvstore.net.codec.ProtocolVersion}. Internal to kvstore-net.
 */
package io.kvstore.net.codec;
