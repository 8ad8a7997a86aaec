package io.offloadcl.placement;

import java.util.List;

/**
 * Why one op runs where it runs: its predicted time on every device (or why it may not go there), the
 * transfers that bring its inputs in and take its outputs away, and the deciding reason in words.
 *
 * @param op            the op's name
 * @param opType        its op type
 * @param device        the chosen device id
 * @param startMs       simulated start
 * @param endMs         simulated end
 * @param candidates    one entry per device, in the order devices were given
 * @param transfersIn   legs that carried this op's inputs (value, from, to, bytes, time)
 * @param transfersOut  legs that carried this op's outputs away
 * @param reason        why this device won
 */
public record OpExplanation(String op, String opType, String device, double startMs, double endMs,
    List<Candidate> candidates, List<Placement.Transfer> transfersIn, List<Placement.Transfer> transfersOut,
    String reason) {

  /**
   * One device considered for the op.
   *
   * @param device     device id
   * @param computeMs  predicted run time there (launch + max(compute, memory)); null where not allowed
   * @param refusal    why the op may not go there, or null
   * @param score      the strategy's figure for this choice (HEFT: finish time; optimal: makespan if moved
   *                   there), null where the strategy has none
   * @param scoreLabel what {@code score} is
   */
  public record Candidate(String device, Double computeMs, String refusal, Double score, String scoreLabel) {}
}
