package io.kvstore.examples.cli;

import picocli.CommandLine.IVersionProvider;

/** Reads the version from the jar manifest ({@code Implementation-Version}). */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = KvstoreCli.class.getPackage().getImplementationVersion();
    return new String[] {"kvstore " + (v != null ? v : "(development build)")};
  }
}
