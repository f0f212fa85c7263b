package io.kvstore.examples.bench;

/** The operation types the load generator issues, with their names in reports. */
enum OpType {
  PUT("put"),
  GET("get"),
  CAS("cas"),
  PUT_IF_ABSENT("put_if_absent");

  private final String reportName;

  OpType(String reportName) {
    this.reportName = reportName;
  }

  /** The name used in the table and the JSON document. */
  String reportName() {
    return reportName;
  }
}
