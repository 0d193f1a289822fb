/// One reward's name and its weight in the mix.
public struct RewardWeight: Codable, Sendable, Equatable {
  public var name: String
  public var weight: Float
  public init(name: String, weight: Float) {
    self.name = name
    self.weight = weight
  }
}

/// Mixes several rewards by normalising each within its group (z-score, ddof 1) and summing
/// with weights, so a reward on a large scale cannot drown a small one. With a single reward
/// the raw values pass through unchanged (the advantage step normalises them anyway).
public func mixRewards(_ rewards: [String: [Float]], weights: [RewardWeight], groupSize G: Int, eps: Float = 1e-8) -> [Float] {
  guard let first = weights.first, let n = rewards[first.name]?.count else { return [] }
  if weights.count == 1 { return rewards[first.name] ?? [] }
  var out = [Float](repeating: 0, count: n)
  for w in weights {
    guard let r = rewards[w.name], r.count == n else { continue }
    for g in 0..<(n / G) {
      let s = r[(g * G)..<((g + 1) * G)]
      let mean = s.reduce(0, +) / Float(G)
      let variance = G > 1 ? s.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(G - 1) : 0
      let std = variance.squareRoot()
      for i in (g * G)..<((g + 1) * G) { out[i] += w.weight * (r[i] - mean) / (std + eps) }
    }
  }
  return out
}
