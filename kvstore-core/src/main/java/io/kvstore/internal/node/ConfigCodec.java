package io.kvstore.internal.node;

import io.kvstore.NodeId;
import io.kvstore.internal.partition.ClusterConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The value format of the configuration register: a small versioned binary record. */
final class ConfigCodec {
  private static final int FORMAT = 1;

  private ConfigCodec() {}

  static byte[] encode(ClusterConfig c) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeLong(c.epoch());
      out.writeInt(c.replicationFactor());
      out.writeInt(c.partitions());
      out.writeInt(c.members().size());
      for (NodeId m : c.members()) {
        out.writeUTF(m.name());
        out.writeLong(m.boot());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static ClusterConfig decode(byte[] value) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      int format = in.readByte();
      if (format != FORMAT) {
        throw new IllegalArgumentException("unknown configuration format " + format);
      }
      long epoch = in.readLong();
      int rf = in.readInt();
      int partitions = in.readInt();
      int n = in.readInt();
      if (n < 0 || n > 10_000) {
        throw new IllegalArgumentException("bad member count " + n);
      }
      List<NodeId> members = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        members.add(new NodeId(in.readUTF(), in.readLong()));
      }
      return new ClusterConfig(epoch, members, rf, partitions);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed configuration", e);
    }
  }
}
