import Engine
import Foundation

/// Which sampler steps a GRPO update trains on.
public enum TimestepSampling: String, Codable, Sendable, CaseIterable {
  /// The first ⌊N·fraction⌋ steps, in order, for every sample (Flow-GRPO: 9 of 10).
  case first
  /// A random ⌊N·fraction⌋ of the steps per sample (DanceGRPO, Pref-GRPO).
  case random
}

/// The trained steps of each sample: `count` rows of step indices, sorted ascending.
public func trainedSteps(samples: Int, steps N: Int, fraction: Float, mode: TimestepSampling, rng: RNG) -> [[Int]] {
  let k = max(1, min(N, Int(Float(N) * fraction)))
  switch mode {
  case .first:
    return Array(repeating: Array(0..<k), count: samples)
  case .random:
    return (0..<samples).map { b in
      var r = rng.stream(UInt64(b))
      return Array(r.permutation(N).prefix(k)).sorted()
    }
  }
}

/// Temporal weights w_k = α^(k/K) over the K trained steps (k = 0 the noisiest), rescaled so
/// they average 1: Style-GRPO's emphasis on early, structure-setting steps when α < 1.
public func temporalWeights(count K: Int, alpha: Float) -> [Float] {
  guard K > 0 else { return [] }
  let raw = (0..<K).map { Float(pow(Double(alpha), Double($0) / Double(K))) }
  let mean = raw.reduce(0, +) / Float(K)
  return raw.map { $0 / mean }
}
