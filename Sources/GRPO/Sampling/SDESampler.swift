import Engine
import Foundation

/// One stochastic step of Flow-GRPO's sampler, with the log-probability of where it landed.
///
/// For rectified flow the score is ∇log p_t(x) = −(x + (1−σ)·v)/σ, so the reverse-time SDE
/// with diffusion s keeps every marginal of the ODE when its drift is v + (s²/2σ)(x + (1−σ)v):
///   s      = a·√(σ / (1 − σ'))          σ' = σ, except σ' = sigmas[1] when σ = 1
///   mean   = x + dt·[ v + s²/(2σ)·(x + (1−σ)·v) ]          dt = σ_next − σ < 0
///   x_next = mean + s·√(−dt)·ε
/// With a = 0 it is the Euler ODE step. The mean is affine in (x, v):
///   mean = cx·x + cv·v,  cx = 1 + s²·dt/(2σ),  cv = dt·(1 + s²(1−σ)/(2σ)),
/// which is how the policy loss rebuilds it from a fresh v with gradients.
public struct SDEStep: Sendable, Equatable {
  public let sigma: Float
  public let dt: Float
  /// The diffusion coefficient s.
  public let s: Float
  /// The step's standard deviation s·√|dt| (0 for the ODE).
  public let std: Float
  /// mean = cx·x + cv·v.
  public let cx: Float
  public let cv: Float

  /// The coefficients of step k of `schedule` at noise level a.
  public init(schedule: SigmaSchedule, step k: Int, noiseLevel a: Float) {
    let sigma = schedule.sigmas[k], next = schedule.sigmas[k + 1]
    let dt = next - sigma
    // At σ = 1 the ratio σ/(1−σ) is infinite; the first step borrows σ' = sigmas[1].
    let denomSigma = sigma >= 1 ? schedule.sigmas[min(1, schedule.steps)] : sigma
    let s = a == 0 ? 0 : a * (sigma / max(1 - denomSigma, 1e-12)).squareRoot()
    self.sigma = sigma
    self.dt = dt
    self.s = s
    std = s * (-dt).squareRoot()
    let k2 = sigma > 0 ? s * s / (2 * sigma) : 0
    cx = 1 + k2 * dt
    cv = dt * (1 + k2 * (1 - sigma))
  }

  /// mean = cx·x + cv·v, elementwise over n values.
  public func mean(x: UnsafePointer<Float>, v: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count n: Int) {
    for i in 0..<n { out[i] = cx * x[i] + cv * v[i] }
  }

  /// log N(xNext; mean, std²·I) reduced over the n values (mean or sum), in Double.
  public func logProb(next: UnsafePointer<Float>, mean: UnsafePointer<Float>, count n: Int, reduce: PixelReduction) -> Float {
    let sd = Double(std)
    var sq = 0.0
    for i in 0..<n {
      let e = Double(next[i]) - Double(mean[i])
      sq += e * e
    }
    let total = -sq / (2 * sd * sd) - Double(n) * (Foundation.log(sd) + 0.5 * Foundation.log(2 * Double.pi))
    return Float(reduce == .mean ? total / Double(n) : total)
  }
}

/// Samples trajectories with the stochastic sampler and keeps what GRPO trains on.
///
/// For every step k it stores x_k, x_{k+1} and log π(x_{k+1} | x_k): the old policy's
/// log-prob that the update's ratio is taken against. Noise for sample i comes from stream i
/// of the seed, so a sample does not depend on its batch neighbours.
public struct SDETrajectories: Sendable {
  /// (steps + 1) states, each (B, D): states[k] is x_k, states[steps] the final image.
  public var states: [[Float]]
  /// log-probs (B, steps), row-major by sample.
  public var logProbs: [Float]
  /// The velocities v_k (B, D) per step, kept only when asked (for dumps and tests).
  public var velocities: [[Float]]
  public let batch: Int
  public let dims: Int
  public let schedule: SigmaSchedule
  public let noiseLevel: Float

  /// The final images x_N (B, D).
  public var final: [Float] { states[states.count - 1] }

  /// log π of sample b at step k.
  public func logProb(sample b: Int, step k: Int) -> Float { logProbs[b * schedule.steps + k] }
}

/// The Flow-GRPO sampler: `sample` runs N SDE steps from seeded noise.
public enum SDESampler {
  /// Runs the sampler. `noiseStreams[b]` drives sample b (its initial noise and every step's ε).
  public static func sample(
    shape: Shape, schedule: SigmaSchedule, noiseLevel: Float, reduce: PixelReduction,
    noiseStreams: [RNG], graph g: Graph, keepVelocities: Bool = false, velocity: VelocityField
  ) -> SDETrajectories {
    let B = shape[0], D = shape.count / B, N = schedule.steps
    precondition(noiseStreams.count == B, "SDESampler: \(noiseStreams.count) noise streams for \(B) samples")
    var streams = noiseStreams
    var x = [Float](repeating: 0, count: B * D)
    x.withUnsafeMutableBufferPointer { buf in
      guard let base = buf.baseAddress else { return }
      for b in 0..<B { streams[b].fillNormal(base + b * D, count: D) }
    }
    var out = SDETrajectories(states: [x], logProbs: .init(repeating: 0, count: B * N), velocities: [],
                              batch: B, dims: D, schedule: schedule, noiseLevel: noiseLevel)
    let wasRecording = g.recording
    g.recording = false
    defer { g.recording = wasRecording }
    var mean = [Float](repeating: 0, count: B * D)
    for k in 0..<N {
      let step = SDEStep(schedule: schedule, step: k, noiseLevel: noiseLevel)
      g.reset()
      let v = velocity(g, g.constant(x, shape), g.filled(Shape(B), step.sigma))
      if keepVelocities { out.velocities.append(v.toArray()) }
      var next = x
      x.withUnsafeBufferPointer { xb in
        mean.withUnsafeMutableBufferPointer { mb in
          next.withUnsafeMutableBufferPointer { nb in
            guard let xp = xb.baseAddress, let mp = mb.baseAddress, let np = nb.baseAddress else { return }
            step.mean(x: xp, v: v.data, into: mp, count: B * D)
            for b in 0..<B {
              if step.std > 0 {
                streams[b].fillNormal(np + b * D, count: D, std: step.std)
                for i in 0..<D { np[b * D + i] += mp[b * D + i] }
                out.logProbs[b * N + k] = step.logProb(next: np + b * D, mean: mp + b * D, count: D, reduce: reduce)
              } else {
                (np + b * D).update(from: mp + b * D, count: D)
              }
            }
          }
        }
      }
      x = next
      out.states.append(x)
    }
    g.reset()
    return out
  }
}
