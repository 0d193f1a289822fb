import Engine

/// The velocity a sampler integrates: given the current images x (B, D…) and one time per
/// sample (B), return v (same shape as x) in `g`.
public typealias VelocityField = (_ g: Graph, _ x: Tensor, _ t: Tensor) -> Tensor

/// Deterministic Euler integration of the flow ODE dx/dσ = v(x, σ) from σ = 1 to 0.
///
/// This is the SDE sampler with noise level 0: the evaluation and preview sampler. Each step
/// runs the network without a tape, reusing one graph whose arenas are reset per step.
public enum ODESampler {
  /// Integrates from `noise` (B · D floats; D = count / B) and returns x₀ in the same layout.
  public static func sample(noise: [Float], shape: Shape, schedule: SigmaSchedule, graph g: Graph, velocity: VelocityField) -> [Float] {
    precondition(noise.count == shape.count, "ODESampler: \(noise.count) values for \(shape)")
    let wasRecording = g.recording
    g.recording = false
    defer { g.recording = wasRecording }
    var x = noise
    let B = shape[0]
    for k in 0..<schedule.steps {
      g.reset()
      let xt = g.constant(x, shape)
      let t = g.filled(Shape(B), schedule.sigmas[k])
      let v = velocity(g, xt, t)
      let dt = schedule.dt(k)
      for i in 0..<x.count { x[i] += dt * v.data[i] }
    }
    g.reset()
    return x
  }
}
