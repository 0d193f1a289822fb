/// Pref-GRPO's reward: each sample's win rate against the rest of its group.
///
/// Every unordered pair i < j is judged in both orders and the two probabilities averaged,
/// P̄(i ≻ j) = ½·(P(i ≻ j) + 1 − P(j ≻ i)), so a judge's position bias cannot leak in
/// (upstream judges one order only). |P̄ − ½| < tieMargin counts ½ to each; otherwise the
/// winner gets 1. winrate_i = wins_i / (G − 1), and a group's win rates always average ½.
public func groupWinRates(groupSize G: Int, tieMargin: Float, prefer: (_ a: Int, _ b: Int) -> Float) -> [Float] {
  guard G > 1 else { return [Float](repeating: 0.5, count: max(G, 0)) }
  var wins = [Float](repeating: 0, count: G)
  for i in 0..<G {
    for j in (i + 1)..<G {
      let p = 0.5 * (prefer(i, j) + 1 - prefer(j, i))
      if abs(p - 0.5) < tieMargin {
        wins[i] += 0.5
        wins[j] += 0.5
      } else if p > 0.5 {
        wins[i] += 1
      } else {
        wins[j] += 1
      }
    }
  }
  return wins.map { $0 / Float(G - 1) }
}

/// The spread the dashboard shows for win rates (their mean is always ½): the mean over
/// groups of max − min.
public func winRateSpread(_ rates: [Float], groupSize G: Int) -> Float {
  guard G > 0, rates.count >= G else { return 0 }
  let groups = rates.count / G
  var total: Float = 0
  for g in 0..<groups {
    let s = rates[(g * G)..<((g + 1) * G)]
    total += (s.max() ?? 0) - (s.min() ?? 0)
  }
  return total / Float(groups)
}
