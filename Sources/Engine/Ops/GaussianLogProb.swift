import Foundation

/// How a per-pixel quantity is reduced to one number per sample.
public enum PixelReduction: String, Codable, Sendable {
  /// The mean over pixels (Flow-GRPO upstream: the policy ratio is exp of a per-pixel mean).
  case mean
  /// The sum over pixels (the true log-density of the whole image).
  case sum
}

extension Graph {
  /// Log-density of `sample` under the diagonal Gaussian N(mean, std²), one std per sample.
  ///
  /// sample (B, D) is data (the SDE step's x_next), mean (B, D) carries the gradient back
  /// into the velocity network, std (B) is data. Returns (B):
  ///   reduce_d [ −(x − μ)²/(2σ²) − log σ − ½·log 2π ].
  public func gaussianLogProb(sample: Tensor, mean: Tensor, std: Tensor, reduce: PixelReduction) -> Tensor {
    let B = std.count, D = sample.count / B
    precondition(sample.count == mean.count && B * D == sample.count, "gaussianLogProb: sample \(sample.shape), mean \(mean.shape), std \(std.shape)")
    let y = output(Shape(B), grad: mean.requiresGrad)
    let halfLog2Pi = 0.5 * Foundation.log(2 * Double.pi)
    for b in 0..<B {
      let s = Double(std.data[b])
      var sq = 0.0
      for d in 0..<D {
        let e = Double(sample.data[b * D + d]) - Double(mean.data[b * D + d])
        sq += e * e
      }
      let total = -sq / (2 * s * s) - Double(D) * (Foundation.log(s) + halfLog2Pi)
      y.data[b] = Float(reduce == .mean ? total / Double(D) : total)
    }
    if y.requiresGrad { record(.gaussianLogProb(sample: sample, mean: mean, std: std, reduce: reduce, y: y)) }
    return y
  }

  func gaussianLogProbBackward(sample: Tensor, mean: Tensor, std: Tensor, reduce: PixelReduction, y: Tensor) {
    guard let dy = y.grad, let dm = mean.grad else { return }
    let B = std.count, D = sample.count / B
    for b in 0..<B {
      let s = std.data[b]
      // ∂/∂μ = (x − μ)/σ², divided by D under mean reduction
      let g = dy[b] / (s * s) / (reduce == .mean ? Float(D) : 1)
      for d in 0..<D {
        let i = b * D + d
        dm[i] += g * (sample.data[i] - mean.data[i])
      }
    }
  }
}
