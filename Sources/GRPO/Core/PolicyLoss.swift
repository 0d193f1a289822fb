import Engine

/// How the KL leash to the reference model is measured per step.
public enum KLForm: String, Codable, Sendable, CaseIterable {
  /// mean_pixels (μ_θ − μ_ref)² / (2s²): Flow-GRPO upstream since July 2025 (dt dropped so
  /// late steps are not discounted).
  case noDt = "no-dt"
  /// mean_pixels (μ_θ − μ_ref)² / (2s²|dt|): the true KL between the two step Gaussians.
  case exact
}

/// The clipped-policy settings of one update.
public struct PolicyLossConfig: Codable, Sendable, Equatable {
  /// ε of clip(ratio, 1 − ε, 1 + ε).
  public var clipRange: Float = 1e-3
  /// β, the KL weight.
  public var klBeta: Float = 0.04
  public var klForm: KLForm = .noDt
  public var reduce: PixelReduction = .mean

  public init(clipRange: Float = 1e-3, klBeta: Float = 0.04, klForm: KLForm = .noDt, reduce: PixelReduction = .mean) {
    self.clipRange = clipRange
    self.klBeta = klBeta
    self.klForm = klForm
    self.reduce = reduce
  }
}

/// One row per (sample, trained step): what the loss needs besides the fresh velocity.
public struct PolicyRows: Sendable {
  /// x_k (R, D): the state the step started from.
  public var states: [Float]
  /// x_{k+1} (R, D): where the sampler actually went.
  public var nextStates: [Float]
  /// The sampling policy's log-prob of that move (R).
  public var oldLogProbs: [Float]
  /// The sample's advantage (R), already clipped.
  public var advantages: [Float]
  /// Per-row weight on the policy term (R): 1, or Style-GRPO's temporal weight.
  public var weights: [Float]
  /// The step of each row (R), for its coefficients.
  public var steps: [SDEStep]

  public init(states: [Float], nextStates: [Float], oldLogProbs: [Float], advantages: [Float], weights: [Float], steps: [SDEStep]) {
    self.states = states
    self.nextStates = nextStates
    self.oldLogProbs = oldLogProbs
    self.advantages = advantages
    self.weights = weights
    self.steps = steps
  }

  public var count: Int { oldLogProbs.count }
}

/// The statistics ALGORITHMS.md §2 logs for every optimizer step.
public struct PolicyStats: Codable, Sendable, Equatable {
  public var policyLoss: Float = 0
  public var kl: Float = 0
  public var loss: Float = 0
  /// 0.5·mean(Δlogp²) against the sampling policy.
  public var approxKL: Float = 0
  public var clipfrac: Float = 0
  public var clipfracHigh: Float = 0
  public var clipfracLow: Float = 0
  public var ratioMean: Float = 0
  public var ratioMin: Float = 0
  public var ratioMax: Float = 0
  public init() {}
}

/// The GRPO loss over `rows`, on the graph, from the policy's velocity v (R, D) (with
/// gradients) and the reference's velocity (R, D) (data; nil when β = 0):
///   μ_θ    = cx·x + cv·v                         (the SDE step's mean, per row)
///   ratio  = exp(log π_θ(x_next) − log π_old)
///   policy = max(−A·ratio, −A·clip(ratio, 1−ε, 1+ε))
///   kl     = mean_pixels (μ_θ − μ_ref)² / (2s²[|dt|])
///   loss   = mean_rows( w·policy + β·kl )
public func policyLoss(_ g: Graph, velocity v: Tensor, referenceVelocity vRef: [Float]?, rows: PolicyRows,
                       config: PolicyLossConfig) -> (loss: Tensor, stats: PolicyStats) {
  let R = rows.count, D = v.count / max(R, 1)
  precondition(R * D == v.count && rows.states.count == R * D, "policyLoss: v \(v.shape) for \(R) rows")
  // Per-row constants go straight into the graph's arena: no heap array per call.
  // μ_θ = cv·v + cx·x: the x part is data, so it folds into a constant.
  let xPart = g.constant(Shape(R, D)) { rows.steps[$0 / D].cx * rows.states[$0] }
  let cv = g.constant(Shape(R)) { rows.steps[$0].cv }
  let mean = g.add(g.scaleRows(v.reshaped(R, D), cv), xPart)
  let logp = g.gaussianLogProb(sample: g.constant(rows.nextStates, Shape(R, D)), mean: mean,
                               std: g.constant(Shape(R)) { rows.steps[$0].std }, reduce: config.reduce)  // (R)
  let ratio = g.exp(g.sub(logp, g.constant(rows.oldLogProbs, Shape(R))))
  let negA = g.constant(Shape(R)) { -rows.advantages[$0] }
  let eps = config.clipRange
  let unclipped = g.mul(ratio, negA)
  let clipped = g.mul(g.clamp(ratio, 1 - eps, 1 + eps), negA)
  let policy = g.mul(g.maximum(unclipped, clipped), g.constant(rows.weights, Shape(R)))  // (R)

  var stats = PolicyStats()
  var total = g.mean(policy)
  stats.policyLoss = total[0]
  if let vRef, config.klBeta > 0 {
    let refMean = g.constant(Shape(R, D)) { i in
      let step = rows.steps[i / D]
      return step.cx * rows.states[i] + step.cv * vRef[i]
    }
    let diff = g.sub(mean, refMean)
    let perRow = g.meanPool(g.mul(diff, diff).reshaped(R, D, 1)).reshaped(R)  // mean over pixels
    let scale = g.constant(Shape(R)) { r in
      let s = rows.steps[r]
      let denom = 2 * s.s * s.s * (config.klForm == .exact ? -s.dt : 1)
      return denom > 0 ? 1 / denom : 0
    }
    let kl = g.mean(g.mul(perRow, scale))
    stats.kl = kl[0]
    total = g.add(total, g.scale(kl, config.klBeta))
  }
  stats.loss = total[0]

  // Ratio statistics, from the values already computed.
  var sq = 0.0, sum = 0.0, hi = 0, lo = 0
  stats.ratioMin = .infinity
  stats.ratioMax = -.infinity
  for r in 0..<R {
    let delta = Double(logp[r]) - Double(rows.oldLogProbs[r])
    sq += delta * delta
    let q = ratio[r]
    sum += Double(q)
    stats.ratioMin = min(stats.ratioMin, q)
    stats.ratioMax = max(stats.ratioMax, q)
    if q - 1 > eps { hi += 1 }
    if 1 - q > eps { lo += 1 }
  }
  let n = Float(max(R, 1))
  stats.approxKL = Float(0.5 * sq / Double(max(R, 1)))
  stats.clipfracHigh = Float(hi) / n
  stats.clipfracLow = Float(lo) / n
  stats.clipfrac = Float(hi + lo) / n
  stats.ratioMean = Float(sum) / n
  return (total, stats)
}
