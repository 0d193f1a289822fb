import Foundation

/// Linear warm-up then cosine decay to `finalFraction` of the peak, per optimizer step.
public struct WarmupCosine: Codable, Sendable, Equatable {
  public var warmupSteps: Int
  public var finalFraction: Float

  public init(warmupSteps: Int, finalFraction: Float) {
    self.warmupSteps = warmupSteps
    self.finalFraction = finalFraction
  }

  /// The learning rate at `step` (0-based) of `total`, for peak `lr`.
  public func rate(step: Int, total: Int, lr: Float) -> Float {
    if step < warmupSteps { return lr * Float(step + 1) / Float(warmupSteps) }
    let progress = Float(step - warmupSteps) / Float(max(1, total - warmupSteps))
    let cosine = 0.5 * (1 + Float(Foundation.cos(Double.pi * Double(min(progress, 1)))))
    return lr * (finalFraction + (1 - finalFraction) * cosine)
  }
}
