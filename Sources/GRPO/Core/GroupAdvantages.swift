/// Which standard deviation normalises the group-relative advantages.
public enum AdvantageStd: String, Codable, Sendable, CaseIterable {
  /// The std of every reward in the batch (Flow-GRPO upstream, REINFORCE++-style).
  case global
  /// The std of the prompt's own group.
  case group
}

/// Group-relative advantages and the statistics the dashboard shows about them.
public struct GroupAdvantages: Sendable, Equatable {
  /// One advantage per sample, clipped to ±clip.
  public var values: [Float]
  /// Whether each sample takes part in the update (false for zero-std groups).
  public var trained: [Bool]
  /// Groups whose rewards were all equal (no signal: A = 0, left out).
  public var zeroStdGroups: Int
  /// zeroStdGroups / groups.
  public var zeroStdRatio: Float
  /// The mean over groups of each group's reward std.
  public var rewardStdMean: Float
}

/// A_i = (r_i − mean_group) / (std + eps), clipped to ±clip.
///
/// rewards are grouped consecutively, `groupSize` per prompt. `ddof` 0 is NumPy's default
/// (Flow-GRPO); 1 is Bessel's correction (Pref-GRPO, DanceGRPO). A group whose rewards are all
/// equal gets A = 0 and is marked untrained, whatever the std mode.
public func groupAdvantages(
  rewards: [Float], groupSize G: Int, std mode: AdvantageStd, ddof: Int = 0, eps: Float = 1e-4, clip: Float = 5
) -> GroupAdvantages {
  precondition(G >= 1 && rewards.count % G == 0, "groupAdvantages: \(rewards.count) rewards in groups of \(G)")
  let groups = rewards.count / G
  func stdOf(_ xs: ArraySlice<Float>) -> Double {
    let n = Double(xs.count)
    guard xs.count > ddof else { return 0 }
    let m = xs.reduce(0.0) { $0 + Double($1) } / n
    let ss = xs.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) }
    return (ss / (n - Double(ddof))).squareRoot()
  }
  let globalStd = stdOf(rewards[...])
  var out = GroupAdvantages(values: .init(repeating: 0, count: rewards.count), trained: .init(repeating: true, count: rewards.count),
                            zeroStdGroups: 0, zeroStdRatio: 0, rewardStdMean: 0)
  var stdSum = 0.0
  for g in 0..<groups {
    let slice = rewards[(g * G)..<((g + 1) * G)]
    let groupStd = stdOf(slice)
    stdSum += groupStd
    let allEqual = slice.allSatisfy { $0 == slice.first }
    if allEqual {
      out.zeroStdGroups += 1
      for i in (g * G)..<((g + 1) * G) { out.trained[i] = false }
      continue
    }
    let mean = slice.reduce(0.0) { $0 + Double($1) } / Double(G)
    let denom = (mode == .global ? globalStd : groupStd) + Double(eps)
    for i in (g * G)..<((g + 1) * G) {
      let a = (Double(rewards[i]) - mean) / denom
      out.values[i] = Float(min(max(a, -Double(clip)), Double(clip)))
    }
  }
  out.zeroStdRatio = groups > 0 ? Float(out.zeroStdGroups) / Float(groups) : 0
  out.rewardStdMean = groups > 0 ? Float(stdSum / Double(groups)) : 0
  return out
}
