package io.kvstore.sim.checker;

import java.util.List;

/**
 * The verdict of a {@link LinearizabilityChecker} run.
 *
 * @param verdict the verdict over all keys
 * @param keysChecked how many keys were checked
 * @param operationsChecked how many operations took part (failed ones and reads of unknown outcome
 *     are left out: they constrain nothing)
 * @param steps search steps taken over all keys
 * @param explanations one paragraph per key that is not linearizable (or undecided), in key order
 */
public record CheckResult(
    Verdict verdict,
    int keysChecked,
    int operationsChecked,
    long steps,
    List<String> explanations) {

  /** Verdicts. */
  public enum Verdict {
    /** Every key's history has a linearization. */
    LINEARIZABLE,
    /** Some key's history has none. */
    NOT_LINEARIZABLE,
    /** The search budget ran out before a verdict (treat as a failure to prove). */
    UNDECIDED
  }

  /** Copies the list. */
  public CheckResult {
    explanations = List.copyOf(explanations);
  }

  /** Whether the history is linearizable. */
  public boolean isLinearizable() {
    return verdict == Verdict.LINEARIZABLE;
  }

  /** A multi-line description. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(verdict).append(" (").append(keysChecked).append(" keys, ");
    sb.append(operationsChecked).append(" operations, ").append(steps).append(" steps)");
    for (String e : explanations) {
      sb.append('\n').append(e);
    }
    return sb.toString();
  }
}
