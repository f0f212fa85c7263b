package io.kvstore.internal.partition;

import io.kvstore.NodeId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The value format of the configuration register: a small versioned binary record. Format 3 adds
 * a flags byte after the member lists (bit 0: forced). Only forced configurations are written in
 * it; every other one is still written in format 2, which nodes of earlier versions read.
 */
public final class ConfigCodec {
  private static final int FORMAT = 3;
  private static final int FORMAT_UNFLAGGED = 2;
  private static final int FLAG_FORCED = 1;

  private ConfigCodec() {}

  /** Encodes a configuration as the register's value. */
  public static byte[] encode(ClusterConfig c) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(c.forced() ? FORMAT : FORMAT_UNFLAGGED);
      out.writeLong(c.epoch());
      out.writeLong(c.lineage());
      out.writeInt(c.replicationFactor());
      out.writeInt(c.partitions());
      writeMembers(out, c.members());
      writeMembers(out, c.previous());
      if (c.forced()) {
        out.writeByte(FLAG_FORCED);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeMembers(DataOutputStream out, List<NodeId> members) throws IOException {
    out.writeInt(members.size());
    for (NodeId m : members) {
      out.writeUTF(m.name());
      out.writeLong(m.boot());
    }
  }

  /** Decodes the register's value; {@link IllegalArgumentException} if it is malformed. */
  public static ClusterConfig decode(byte[] value) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      int format = in.readByte();
      if (format != FORMAT && format != FORMAT_UNFLAGGED) {
        throw new IllegalArgumentException("unknown configuration format " + format);
      }
      long epoch = in.readLong();
      long lineage = in.readLong();
      int rf = in.readInt();
      int partitions = in.readInt();
      List<NodeId> members = readMembers(in);
      List<NodeId> previous = readMembers(in);
      int flags = format == FORMAT_UNFLAGGED ? 0 : in.readUnsignedByte();
      if ((flags & ~FLAG_FORCED) != 0) {
        throw new IllegalArgumentException("unknown configuration flags " + flags);
      }
      return new ClusterConfig(epoch, members, rf, partitions, lineage, previous,
          (flags & FLAG_FORCED) != 0);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed configuration", e);
    }
  }

  private static List<NodeId> readMembers(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 10_000) {
      throw new IllegalArgumentException("bad member count " + n);
    }
    List<NodeId> members = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      members.add(new NodeId(in.readUTF(), in.readLong()));
    }
    return members;
  }
}
