/// Rewards that are relative within a group, whose group mean is fixed by construction:
/// Pref-GRPO's win rates average 0.5 in every group (ALGORITHMS.md §4). Anything that shows a
/// run (the dashboard, the headless line) reports their within-group spread, the
/// `reward/<name>/std` metric, instead of a mean that never moves.
public enum GroupRelativeRewards {
  /// Reward names, as in `reward/<name>/mean`.
  public static let names: Set<String> = ["winrate"]
}
