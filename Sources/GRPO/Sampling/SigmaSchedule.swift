/// The rectified-flow time grid a sampler walks: σ from 1 (noise) down to 0 (image).
///
/// sigmas = shift(linspace(1, 0, N + 1)) with shift(s) = k·s / (1 + (k − 1)·s), as SD3 and
/// Flow-GRPO do; k = 1 leaves the grid uniform, which suits our small pixel-space images.
public struct SigmaSchedule: Sendable, Equatable {
  public let steps: Int
  public let shift: Float
  /// N + 1 values, sigmas[0] = 1, sigmas[N] = 0.
  public let sigmas: [Float]

  public init(steps: Int, shift: Float = 1) {
    precondition(steps >= 1, "a schedule needs at least one step")
    self.steps = steps
    self.shift = shift
    sigmas = (0...steps).map { i in
      let s = 1 - Float(i) / Float(steps)
      return shift * s / (1 + (shift - 1) * s)
    }
  }

  /// dt of step k: sigmas[k + 1] − sigmas[k] (negative).
  public func dt(_ k: Int) -> Float { sigmas[k + 1] - sigmas[k] }
}
