import Dispatch
import Engine
import GRPO
import Imaging
import Models
import RunProtocol
import World

/// Raised from a phase boundary when the run must end (a stop command or a signal).
public struct StopRequested: Error {}

/// The GRPO training loop, synchronous and deterministic: every random choice of iteration i
/// comes from streams of (seed, i), so a resumed run repeats a straight one exactly.
///
/// One iteration reads top to bottom: sample → score → advantages → discriminator → update →
/// emit. Between phases it calls `boundary`, where the run's owner applies commands (pause,
/// live edits, checkpoints, stop).
public final class GRPOLoop {
  public private(set) var config: TrainConfig
  public let models: RunModels
  public let optimizer: AdamW
  let rewards: [RewardFunction]
  let adversarial: AdversarialReward?
  let references: ReferenceImages
  let trainingPrompts: [Prompt]
  /// Style-GRPO's tasks (content image, instruction, perfect output), one per training prompt;
  /// nil for the text-to-image methods.
  let styleTasks: [EditPair]?
  /// Their content images and perfect outputs, planar (3·S·S floats each).
  let styleContents: [[Float]]
  let styleTargets: [[Float]]
  var emit: (EventPayload) -> Void
  /// Called at each phase boundary; may block (pause) or throw StopRequested.
  var boundary: (Phase, GRPOLoop) throws -> Void = { _, _ in }
  /// The next iteration to run (0-based).
  public internal(set) var iteration = 0
  public internal(set) var discriminatorUpdates = 0
  let graph = Graph()
  /// The update's (sample, step) rows of one optimizer step, and one micro-batch's inputs;
  /// both keep their capacity, so after the first iteration the update allocates no arrays.
  var rowBuffer: [(b: Int, k: Int)] = []
  let micro = MicroBatch()

  public init(config: TrainConfig, models: RunModels, emit: @escaping (EventPayload) -> Void, warn: (String) -> Void) throws {
    self.config = config
    self.models = models
    self.emit = emit
    let g = models.generator
    optimizer = AdamW(store: g.store, config: AdamWConfig(lr: config.grpo.lr, weightDecay: config.grpo.weightDecay))
    references = try ReferenceImages(perPrompt: config.references.perPrompt, size: g.config.imageSize, seed: config.seed ^ 0xEEF,
                                     folder: config.references.folder, warn: warn)
    var list: [RewardFunction] = []
    var adv: AdversarialReward? = nil
    for r in config.rewards {
      switch r.name {
      case "discriminator":
        guard let features = models.backbone else { throw ConfigError("rewards: discriminator needs the backbone") }
        let d = Discriminator(config: config.discriminator, featureWidth: features.backbone.config.width, seed: config.seed ^ 0xD15C)
        let reward = AdversarialReward(features: features, discriminator: d)
        adv = reward
        list.append(reward)
      case "alignment":
        guard let judge = models.judgeA else { throw ConfigError("rewards: alignment needs judge-a") }
        list.append(AlignmentReward(judge: judge))
      case "winrate":
        guard let features = models.backbone, let head = models.preference else { throw ConfigError("rewards: winrate needs the preference model") }
        list.append(WinRateReward(features: features, head: head, tieMargin: config.pref.tieMargin))
      case "quality":
        guard let q = models.quality else { throw ConfigError("rewards: quality needs the quality regressor") }
        list.append(QualityReward(regressor: q))
      case "brightness":
        list.append(BrightnessReward())
      case "stylescore":
        guard let features = models.backbone, let model = models.styleScore else { throw ConfigError("rewards: stylescore needs StyleScore") }
        list.append(StyleScoreReward(backbone: features.backbone, model: model))
      case "style":
        guard let judge = models.judgeA else { throw ConfigError("rewards: style needs judge-a") }
        list.append(try StyleAlignmentReward(judge: judge))
      default:
        throw ConfigError("rewards: unknown reward '\(r.name)'")
      }
    }
    rewards = list
    adversarial = adv
    if config.algorithm == .styleGRPO {
      guard g.config.hasContent else { throw ConfigError("style-grpo: weights.editor must hold an editor (content tokens)") }
      // Each training content image meets the styles in turn, so every style is trained.
      let contents = PromptSampler(seed: config.seed).training(count: config.style.pool)
      let tasks = contents.enumerated().map { n, p in
        EditPairs.styled(prompt: p, style: Style.allCases[n % Style.allCases.count], size: g.config.imageSize,
                         seed: config.seed &+ UInt64(n) &* 0x9E37)
      }
      styleTasks = tasks
      styleContents = tasks.map { $0.content.planarSigned() }
      styleTargets = tasks.map { $0.target.planarSigned() }
      trainingPrompts = tasks.map(\.instruction)
    } else {
      styleTasks = nil
      styleContents = []
      styleTargets = []
      trainingPrompts = PromptSampler(seed: config.seed).training(count: config.prompts.pool)
    }
  }

  /// Applies a validated live edit to the running config (called at a phase boundary).
  func setConfig(_ c: TrainConfig) {
    config = c
    optimizer.config.lr = c.grpo.lr
  }

  // MARK: One iteration

  /// What one iteration measured, for the caller's progress line and tests.
  public struct IterationSummary: Sendable {
    public var iteration: Int
    public var rewardMean: Float
    public var metrics: [String: Double]
  }

  /// Runs iteration `iteration` and advances the counter.
  @discardableResult
  public func runIteration() throws -> IterationSummary {
    let i = iteration
    let c = config
    let G = c.grpo.groupSize, P = c.grpo.promptsPerIteration
    let S = models.generator.config.imageSize, D = 3 * S * S
    var millis: [String: Double] = [:]
    var clock = DispatchTime.now().uptimeNanoseconds
    func lap(_ name: String) {
      let now = DispatchTime.now().uptimeNanoseconds
      millis["ms_" + name] = Double(now - clock) / 1e6
      clock = now
    }
    let base = RNG(seed: c.seed).stream(UInt64(i))

    // 0. Style-GRPO's first stage: SFT iterations, then the stage change, recorded once.
    if let tasks = styleTasks, i < c.style.sftIterations { return try sftIteration(i, tasks: tasks, rng: base.stream(3)) }
    let stageChange: String? = styleTasks != nil && c.style.sftIterations > 0 && i == c.style.sftIterations ? "grpo" : nil
    optimizer.config.lr = c.grpo.lr

    // 1. Sample: G trajectories for each of P prompts, with per-step log-probs.
    try boundary(.sampling, self)
    emit(.phase(PhaseChange(iteration: i, phase: .sampling, stage: stageChange)))
    let taskIndices = (0..<P).map { (i * P + $0) % trainingPrompts.count }
    let prompts = taskIndices.map { trainingPrompts[$0] }
    let contents: [Float]? = styleTasks == nil ? nil : taskIndices.flatMap { styleContents[$0] }  // (P, 3, S, S)
    let traj = sample(prompts: prompts, contents: contents, rng: base.stream(1))
    lap("sampling")

    // 2. Score every image with every reward, then mix.
    try boundary(.scoring, self)
    emit(.phase(PhaseChange(iteration: i, phase: .scoring)))
    let batch = RewardBatch(images: traj.final, imageSize: S, prompts: prompts, groupSize: G, contents: contents)
    var scores: [String: [Float]] = [:]
    for r in rewards { scores[r.name] = r.score(batch) }
    let mixed = mixRewards(scores, weights: c.rewards, groupSize: G)
    var metrics: [String: Double] = [:]
    for (name, s) in scores {
      metrics["reward/\(name)/mean"] = mean(s)
      metrics["reward/\(name)/std"] = std(s)
    }
    if let w = scores["winrate"] { metrics["winrate_spread"] = Double(winRateSpread(w, groupSize: G)) }

    // 3. Group-relative advantages.
    let adv = groupAdvantages(rewards: mixed, groupSize: G, std: c.grpo.advantageStd, ddof: c.grpo.advantageDdof,
                              eps: c.grpo.advantageEps, clip: c.grpo.advantageClip)
    metrics["reward_std_mean"] = Double(adv.rewardStdMean)
    metrics["zero_std_ratio"] = Double(adv.zeroStdRatio)
    lap("scoring")

    // 4. Adv-GRPO: score the references too; train D when the schedule says so.
    var skipUpdate = false
    // Beside the samples the dashboard shows what they answer: the references, or for an
    // edit the content image and the perfect output.
    var referenceThumbs: [RGBImage] = styleTasks.map { [$0[taskIndices[0]].content, $0[taskIndices[0]].target] }
      ?? references.images(for: prompts[0])
    if let adversarial {
      try boundary(.discriminator, self)
      let refSets = prompts.map { references.images(for: $0) }
      let refImages = refSets.flatMap { $0 }
      referenceThumbs = refSets[0]
      // Each reference's prompt and each sample's, for a prompt-conditioned D only.
      let conditioned = adversarial.discriminator.head.isConditioned
      let refPrompts = conditioned ? zip(prompts, refSets).flatMap { p, set in [Prompt](repeating: p, count: set.count) } : nil
      let genPrompts = conditioned ? batch.prompts.flatMap { [Prompt](repeating: $0, count: G) } : nil
      let refFeatures = adversarial.features.tokens(ReferenceImages.planar(refImages))
      let rRef = adversarial.discriminator.rewards(refFeatures, prompts: refPrompts)
      let rGen = scores["discriminator"] ?? []
      let meanGen = Float(mean(rGen)), meanRef = Float(mean(rRef))
      metrics["r_gen"] = Double(meanGen)
      metrics["r_ref"] = Double(meanRef)
      if let reason = adversarial.discriminator.trigger(iteration: i, meanGenerated: meanGen, meanReference: meanRef) {
        emit(.phase(PhaseChange(iteration: i, phase: .discriminator)))
        let genFeatures = adversarial.features.tokens(traj.final)
        let report = adversarial.discriminator.train(references: refFeatures, generated: genFeatures, steps: c.discriminator.stepsPerTrigger,
                                                     referencePrompts: refPrompts, generatedPrompts: genPrompts)
        discriminatorUpdates += 1
        skipUpdate = true
        emit(.discriminatorUpdate(DiscriminatorUpdate(
          iteration: i, reason: reason, rewardGenerated: Double(meanGen), rewardReference: Double(meanRef),
          lossBefore: Double(report.lossBefore), lossAfter: Double(report.lossAfter),
          accuracyBefore: Double(report.accuracyBefore), accuracyAfter: Double(report.accuracyAfter), steps: c.discriminator.stepsPerTrigger)))
      }
      lap("discriminator")
    }
    metrics["skipped_update"] = skipUpdate ? 1 : 0

    // 5. The clipped policy update with the KL leash, unless D took this iteration.
    if !skipUpdate {
      try boundary(.update, self)
      emit(.phase(PhaseChange(iteration: i, phase: .update)))
      try update(traj: traj, prompts: prompts, contents: contents, advantages: adv, rng: base.stream(2), iteration: i)
      lap("update")
    }

    // 6. Emit what the dashboard shows.
    for (k, v) in millis { metrics[k] = v }
    metrics["lr"] = Double(optimizer.config.lr.description) ?? Double(optimizer.config.lr)
    metrics["trained_samples"] = Double(adv.trained.filter { $0 }.count)
    metrics["reward/total/mean"] = mean(mixed)
    metrics["discriminator_updates"] = Double(discriminatorUpdates)
    emit(.iterationMetrics(Metrics(iteration: i, values: metrics)))
    emit(.histogram(Histogram(iteration: i, name: "advantage", values: adv.values.map(Double.init), low: -5, high: 5, bins: 21)))
    let first = Array(0..<G)
    emit(.samples(SampleGroup(
      iteration: i, prompt: prompts[0].text,
      images: first.map { thumbnail(traj.final, index: $0, size: S, floats: D) },
      rewards: first.map { Double(mixed[$0]) }, advantages: first.map { Double(adv.values[$0]) },
      references: referenceThumbs.prefix(8).map(GRPOLoop.thumbnail))))
    iteration += 1
    return IterationSummary(iteration: i, rewardMean: Float(mean(mixed)), metrics: metrics)
  }

  // MARK: Sampling

  /// SDE trajectories for P prompts × G samples; sample b's noise is stream b of `rng`. The
  /// editor also reads each prompt's content image (P, 3, S, S).
  func sample(prompts: [Prompt], contents: [Float]?, rng: RNG) -> SDETrajectories {
    let c = config, G = c.grpo.groupSize, gen = models.generator
    let S = gen.config.imageSize, L = gen.config.promptTokens, B = prompts.count * G
    var tokens = [Float](), mask = [Float]()
    for p in prompts {
      let input = Tokenizer.modelInputs(p)
      for _ in 0..<G {
        tokens += input.ids
        mask += input.mask
      }
    }
    let schedule = SigmaSchedule(steps: c.sample.steps, shift: c.sample.shift)
    let streams = (0..<B).map { rng.stream(UInt64($0)) }
    let D = 3 * S * S
    let content: [Float]? = contents.map { c in (0..<B).flatMap { c[((($0 / G) * D))..<((($0 / G) + 1) * D)] } }  // (B, 3, S, S)
    return SDESampler.sample(shape: Shape(B, 3, S, S), schedule: schedule, noiseLevel: c.sample.noiseLevel, reduce: c.logprob.reduce,
                             noiseStreams: streams, graph: graph) { g, x, t in
      gen.guidedVelocity(g, x: x, t: t, tokens: g.constant(tokens, Shape(B, L)), mask: g.constant(mask, Shape(B, L)),
                         content: content.map { g.constant($0, Shape(B, 3, S, S)) }, guidance: c.sample.guidance)
    }
  }

  // MARK: Update

  /// Splits the trained samples into `optimizer_steps_per_iteration` parts (the later ones
  /// slightly off-policy, as upstream); each part's rows (sample × trained step) go through
  /// in micro-batches whose gradients accumulate into one optimizer step.
  func update(traj: SDETrajectories, prompts: [Prompt], contents: [Float]?, advantages adv: GroupAdvantages, rng: RNG,
              iteration i: Int) throws {
    let c = config, gen = models.generator, G = c.grpo.groupSize
    let S = gen.config.imageSize, D = 3 * S * S, L = gen.config.promptTokens, N = c.sample.steps
    let schedule = SigmaSchedule(steps: N, shift: c.sample.shift)
    let steps = (0..<N).map { SDEStep(schedule: schedule, step: $0, noiseLevel: c.sample.noiseLevel) }
    let trainedSamples = (0..<traj.batch).filter { adv.trained[$0] }
    guard !trainedSamples.isEmpty else { return }
    var shuffle = rng.stream(0)
    let order = shuffle.permutation(trainedSamples.count).map { trainedSamples[$0] }
    let stepsOf = trainedSteps(samples: traj.batch, steps: N, fraction: c.grpo.timestepFraction, mode: c.grpo.timestepSampling, rng: rng.stream(1))
    let parts = min(c.grpo.optimizerStepsPerIteration, order.count)
    let promptInputs = prompts.map(Tokenizer.modelInputs)
    // Style-GRPO's temporal weighting of the policy term: the j-th trained step of a sample
    // weighs α^(j/K) (rescaled to mean 1); other methods weigh every step 1.
    let alpha = styleTasks == nil ? 1 : c.style.temporalAlpha
    let temporal = temporalWeights(count: stepsOf.first?.count ?? 0, alpha: alpha)
    let lossConfig = PolicyLossConfig(clipRange: c.grpo.clipRange, klBeta: c.kl.beta, klForm: c.kl.form, reduce: c.logprob.reduce)
    for part in 0..<parts {
      rowBuffer.removeAll(keepingCapacity: true)
      for j in stride(from: part, to: order.count, by: parts) {
        let b = order[j]
        for k in stepsOf[b] { rowBuffer.append((b, k)) }
      }
      gen.store.zeroGrads()
      var total = PolicyStats()
      for start in stride(from: 0, to: rowBuffer.count, by: c.grpo.microBatch) {
        let end = min(start + c.grpo.microBatch, rowBuffer.count), R = end - start
        micro.fill(rows: rowBuffer[start..<end], trajectories: traj, steps: steps, advantages: adv.values,
                   prompts: promptInputs, contents: contents, groupSize: G, dims: D) { b, k in
          alpha == 1 ? 1 : temporal[stepsOf[b].firstIndex(of: k) ?? 0]
        }
        let g = graph
        // The policy is the guided sampler: the log-prob is of the same combined velocity the
        // samples were drawn with (Flow-GRPO trains with its CFG 4.5 too), and so is the reference.
        func microVelocity() -> Tensor {
          gen.guidedVelocity(g, x: g.constant(micro.rows.states, Shape(R, 3, S, S)), t: g.constant(micro.times, Shape(R)),
                             tokens: g.constant(micro.tokens, Shape(R, L)), mask: g.constant(micro.mask, Shape(R, L)),
                             content: contents == nil ? nil : g.constant(micro.content, Shape(R, 3, S, S)), guidance: c.sample.guidance)
        }
        // The reference (LoRA off) velocity, without a tape, only when the KL term is on.
        var hasReference = false
        if c.kl.beta > 0 {
          g.reset()
          g.recording = false
          g.loraEnabled = false
          micro.keepReference(microVelocity())
          hasReference = true
          g.loraEnabled = true
          g.recording = true
        }
        g.reset()
        let (loss, stats) = policyLoss(g, velocity: microVelocity(), referenceVelocity: hasReference ? micro.reference : nil, rows: micro.rows,
                                       config: lossConfig)
        // Each chunk's mean loss is weighted by its share of the part's rows, so the
        // accumulated gradient is the gradient of the mean over all of them.
        let share = Float(R) / Float(rowBuffer.count)
        g.backward(from: loss, seed: share)
        total.accumulate(stats, weight: share)
      }
      graph.reset()
      let norm = gen.store.clipGradNorm(c.grpo.gradClip)
      optimizer.update()
      var values = total.metrics
      values["grad_norm"] = Double(norm)
      values["lr"] = Double(optimizer.config.lr.description) ?? Double(optimizer.config.lr)
      emit(.stepMetrics(Metrics(iteration: i, step: optimizer.step, values: values)))
      if part + 1 < parts { try boundary(.update, self) }
    }
  }

  /// Every graph the loop's work runs on (for SGEMM profiling in benchmarks).
  public var graphs: [Graph] {
    var out = [graph]
    if let a = adversarial { out += [a.features.graph, a.discriminator.graph] }
    for r in rewards {
      if let w = r as? WinRateReward { out += [w.graph, w.features.graph] }
      if let a = r as? AlignmentReward { out.append(a.graph) }
      if let q = r as? QualityReward { out.append(q.graph) }
    }
    return out
  }

  // MARK: Helpers

  static func thumbnail(_ image: RGBImage) -> Thumbnail {
    Thumbnail(width: image.width, height: image.height, rgb: image.rgbBytes())
  }

  func thumbnail(_ images: [Float], index b: Int, size S: Int, floats D: Int) -> Thumbnail {
    images.withUnsafeBufferPointer { buf in
      GRPOLoop.thumbnail(RGBImage(planarSigned: UnsafeBufferPointer(rebasing: buf[(b * D)..<((b + 1) * D)]), width: S, height: S))
    }
  }
}

extension PolicyStats {
  /// Adds `weight`·other (for averaging micro-batch statistics; min/max are combined).
  mutating func accumulate(_ o: PolicyStats, weight w: Float) {
    let first = ratioMin == 0 && ratioMax == 0 && ratioMean == 0
    policyLoss += w * o.policyLoss
    kl += w * o.kl
    loss += w * o.loss
    approxKL += w * o.approxKL
    clipfrac += w * o.clipfrac
    clipfracHigh += w * o.clipfracHigh
    clipfracLow += w * o.clipfracLow
    ratioMean += w * o.ratioMean
    ratioMin = first ? o.ratioMin : Swift.min(ratioMin, o.ratioMin)
    ratioMax = first ? o.ratioMax : Swift.max(ratioMax, o.ratioMax)
  }

  /// The per-step metrics under ALGORITHMS.md §2's names.
  var metrics: [String: Double] {
    ["policy_loss": Double(policyLoss), "kl": Double(kl), "loss": Double(loss), "approx_kl": Double(approxKL),
     "clipfrac": Double(clipfrac), "clipfrac_high": Double(clipfracHigh), "clipfrac_low": Double(clipfracLow),
     "ratio_mean": Double(ratioMean), "ratio_min": Double(ratioMin), "ratio_max": Double(ratioMax)]
  }
}

func mean(_ xs: [Float]) -> Double { xs.isEmpty ? 0 : xs.reduce(0.0) { $0 + Double($1) } / Double(xs.count) }
func std(_ xs: [Float]) -> Double {
  let m = mean(xs)
  return xs.isEmpty ? 0 : (xs.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(xs.count)).squareRoot()
}
