import Engine
import Models
import World

/// When the Adv-GRPO discriminator trains.
public enum DiscriminatorSchedule: String, Codable, Sendable, CaseIterable {
  /// When the generated images out-score the references (mean r_gen > mean r_ref), D trains
  /// and the generator skips that iteration (upstream's PickScore rule).
  case adaptive
  /// D trains on `ratio − 1` of every `ratio` iterations, the generator on the rest.
  case ratio
}

/// The discriminator's settings (ALGORITHMS.md §3).
public struct DiscriminatorConfig: Codable, Sendable, Equatable {
  /// `ratio` every other iteration, not ALGORITHMS.md's `adaptive`: on the contrastive
  /// backbone D separates the base generator's samples from the references from the start,
  /// so r̄_gen never passes r̄_ref, the adaptive rule fires once, and the generator games
  /// that one D (Fréchet 0.16 → 1.06 in 100 iterations). Retrained every other iteration,
  /// D follows the generator.
  public var schedule: DiscriminatorSchedule = .ratio
  public var stepsPerTrigger = 10
  public var ratio = 2
  /// Hidden width of the head.
  public var hidden = 256
  /// Adam rate. ALGORITHMS.md's 1e-4 (upstream trains far longer) barely moved our head: in
  /// 100 Adv-GRPO iterations its 10-step triggers lowered the hinge loss by 0.01–0.03 (1.30 →
  /// 1.29 typically) and left accuracy at 0.42–0.53 in 13 of 14. At 1e-3 a trigger lowers it
  /// by about 0.2 (1.30 → 1.13, 1.32 → 1.10).
  public var lr: Float = 1e-3
  public var beta1: Float = 0.5
  /// λ_g and λ_l: weights of the CLS and patch scores in the reward.
  public var globalWeight: Float = 0.7
  public var localWeight: Float = 0.3
  /// Patch tokens averaged per image (all of them when ≥ the patch count).
  public var patches = 64
  /// Weight of the patch-token hinge loss next to the CLS one.
  public var patchLossWeight: Float = 0.3
  /// Condition the CLS score on the prompt (a projection discriminator, see DiscriminatorHead).
  /// Off by default: the shipped runs were measured without it.
  public var promptProjection = false
  /// With the projection: weight, beside the generated images, of references shown with
  /// another prompt of the batch as negatives. They teach D what a mismatch looks like, which
  /// generated images alone cannot, since every sample comes with its own prompt.
  public var mismatchWeight: Float = 1

  public init() {}
}

/// Backbone features of a set of images: per image the L2-normalised CLS and patch tokens.
public struct TokenFeatures: Sendable {
  /// (B, 1 + P, d), CLS first, every row unit length.
  public var values: [Float]
  public let count: Int
  public let tokens: Int
  public let width: Int

  public init(values: [Float], count: Int, tokens: Int, width: Int) {
    precondition(values.count == count * tokens * width, "TokenFeatures: \(values.count) values for \(count)×\(tokens)×\(width)")
    self.values = values
    self.count = count
    self.tokens = tokens
    self.width = width
  }
}

/// What one discriminator update did.
public struct DiscriminatorReport: Sendable, Equatable {
  public var lossBefore: Float
  public var lossAfter: Float
  public var accuracyBefore: Float
  public var accuracyAfter: Float
}

/// Adv-GRPO's reward model: a head on frozen self-supervised features, trained with the
/// hinge loss against reference images whenever the schedule says so.
///   reward r = λ_g·D(cls) + λ_l·mean_{patches} D(patch)
///   loss     = ½(mean relu(1 − D(ref)) + mean relu(1 + D(gen))) on CLS
///              + 0.3 × the same on patch tokens
/// Scoring and training both see L2-normalised features (upstream mixes the two; we do not).
public final class Discriminator {
  public let config: DiscriminatorConfig
  public let store = ParameterStore()
  public let head: DiscriminatorHead
  public let optimizer: AdamW
  public let graph = Graph()

  public init(config: DiscriminatorConfig, featureWidth d: Int, seed: UInt64) {
    self.config = config
    head = DiscriminatorHead(store, inputWidth: d, hidden: config.hidden,
                             vocabularySize: config.promptProjection ? Tokenizer.vocabularySize : 0)
    store.allocate(seed: seed)
    optimizer = AdamW(store: store, config: AdamWConfig(lr: config.lr, beta1: config.beta1, beta2: 0.999, weightDecay: 0))
  }

  /// Prompts as the conditioned head reads them: token ids and mask (N, L), one row per image.
  struct EncodedPrompts {
    var ids: [Float] = []
    var mask: [Float] = []
    let count: Int

    init(_ prompts: [Prompt]) {
      count = prompts.count
      ids.reserveCapacity(count * Tokenizer.maxTokens)
      mask.reserveCapacity(count * Tokenizer.maxTokens)
      // Images come in runs of one prompt (a group, a prompt's references): encode each run once.
      var last: (prompt: Prompt, ids: [Float], mask: [Float])? = nil
      for p in prompts {
        if last?.prompt != p {
          let encoded = Tokenizer.encode(p)
          last = (p, encoded.map(Float.init), Tokenizer.mask(encoded))
        }
        if let last {
          ids += last.ids
          mask += last.mask
        }
      }
    }
  }

  /// Scores (B·(1 + P)) of a feature set, each image read against its prompt when the head is
  /// conditioned (`prompts` then holds one per image).
  func scores(_ g: Graph, _ f: TokenFeatures, prompts: EncodedPrompts?) -> Tensor {
    let x = g.constant(f.values, Shape(f.count * f.tokens, f.width))
    guard head.isConditioned else { return head(g, x) }
    guard let prompts, prompts.count == f.count else {
      preconditionFailure("Discriminator: a prompt-conditioned head needs one prompt per image")
    }
    let L = Tokenizer.maxTokens
    return head(g, x, tokensPerImage: f.tokens, promptTokens: g.constant(prompts.ids, Shape(f.count, L)),
                promptMask: g.constant(prompts.mask, Shape(f.count, L)))
  }

  /// Per-token scores (B, 1 + P) of a feature set, without recording.
  func tokenScores(_ f: TokenFeatures, prompts: EncodedPrompts?) -> [Float] {
    graph.reset()
    graph.recording = false
    defer { graph.recording = true }
    return scores(graph, f, prompts: prompts).toArray()
  }

  /// The encoding of `prompts` when the head reads them, else nil.
  func encoded(_ prompts: [Prompt]?) -> EncodedPrompts? {
    head.isConditioned ? prompts.map(EncodedPrompts.init) : nil
  }

  /// Each reference's prompt replaced by the next different prompt of the batch (cyclically),
  /// or nil when the batch holds one prompt only.
  static func mismatched(_ prompts: [Prompt]) -> [Prompt]? {
    let N = prompts.count
    var out = prompts
    for i in 0..<N {
      guard let k = (1..<max(N, 1)).first(where: { prompts[(i + $0) % N] != prompts[i] }) else { return nil }
      out[i] = prompts[(i + k) % N]
    }
    return out
  }

  /// The reward of each image: λ_g·D(cls) + λ_l·mean of D over the first `patches` patch
  /// tokens (a fixed subset keeps the reward deterministic). `prompts`: one per image, read
  /// only by a conditioned head.
  public func rewards(_ f: TokenFeatures, prompts: [Prompt]? = nil) -> [Float] {
    let s = tokenScores(f, prompts: encoded(prompts)), T = f.tokens
    let P = min(config.patches, T - 1)
    return (0..<f.count).map { b in
      let cls = s[b * T]
      var local: Float = 0
      for j in 1...max(P, 1) where j < T { local += s[b * T + j] }
      return config.globalWeight * cls + config.localWeight * (P > 0 ? local / Float(P) : 0)
    }
  }

  /// One update's prompts, encoded once: each reference's, each sample's, and each
  /// reference's mismatched one (nil where the head does not read them).
  struct PromptSet {
    let references: EncodedPrompts?
    let generated: EncodedPrompts?
    let mismatched: EncodedPrompts?
  }

  /// The prompts of one update (the mismatched set only with a positive `mismatchWeight`).
  func promptSet(references: [Prompt]?, generated: [Prompt]?) -> PromptSet {
    PromptSet(references: encoded(references), generated: encoded(generated),
              mismatched: config.mismatchWeight > 0 ? encoded(references.flatMap(Discriminator.mismatched)) : nil)
  }

  /// The hinge loss and accuracy 0.5·(P[D(ref) > 0] + P[D(gen) < 0]) on CLS scores (the
  /// mismatched references are in the loss, not in the accuracy).
  func evaluate(references: TokenFeatures, generated: TokenFeatures, prompts: PromptSet) -> (loss: Float, accuracy: Float) {
    let r = tokenScores(references, prompts: prompts.references), gsc = tokenScores(generated, prompts: prompts.generated)
    let mismatch = prompts.mismatched.map { tokenScores(references, prompts: $0) }
    return (hingeValue(r, gsc, mismatch, refT: references.tokens, genT: generated.tokens),
            accuracy(r, gsc, refT: references.tokens, genT: generated.tokens))
  }

  /// `steps` Adam steps on references (positive) against generated images (negative); a
  /// conditioned head also gets the references under mismatched prompts as negatives.
  public func train(references: TokenFeatures, generated: TokenFeatures, steps: Int,
                    referencePrompts: [Prompt]? = nil, generatedPrompts: [Prompt]? = nil) -> DiscriminatorReport {
    let prompts = promptSet(references: referencePrompts, generated: generatedPrompts)
    let before = evaluate(references: references, generated: generated, prompts: prompts)
    let g = graph
    for _ in 0..<steps {
      g.reset()
      store.zeroGrads()
      let rs = scores(g, references, prompts: prompts.references)
      let gs = scores(g, generated, prompts: prompts.generated)
      let ms = prompts.mismatched.map { scores(g, references, prompts: $0) }
      let loss = hingeLoss(g, rs, gs, ms, refT: references.tokens, genT: generated.tokens)
      g.backward(from: loss)
      optimizer.update()
    }
    let after = evaluate(references: references, generated: generated, prompts: prompts)
    return DiscriminatorReport(lossBefore: before.loss, lossAfter: after.loss, accuracyBefore: before.accuracy, accuracyAfter: after.accuracy)
  }

  /// Whether D trains at `iteration` and why ("adaptive" or "ratio"); nil when the generator does.
  public func trigger(iteration: Int, meanGenerated: Float, meanReference: Float) -> String? {
    switch config.schedule {
    case .adaptive: return meanGenerated > meanReference ? "adaptive" : nil
    case .ratio: return iteration % max(config.ratio, 1) != max(config.ratio, 1) - 1 ? "ratio" : nil
    }
  }

  // MARK: Loss pieces

  /// Token rows split into CLS (row 0 of each image) and patch rows, as index lists.
  func split(_ n: Int, _ T: Int) -> (cls: [Float], patch: [Float]) {
    var cls = [Float](repeating: 0, count: n * T), patch = [Float](repeating: 0, count: n * T)
    for i in 0..<(n * T) { if i % T == 0 { cls[i] = 1 } else { patch[i] = 1 } }
    return (cls, patch)
  }

  /// ½(CLS hinge of the references + of the negatives) + patchLossWeight × the same on patch
  /// tokens. With mismatched references (CLS only: their patches are real) the CLS negatives
  /// are (gen + w·mismatch) / (1 + w).
  func hingeLoss(_ g: Graph, _ refScores: Tensor, _ genScores: Tensor, _ mismatchScores: Tensor? = nil, refT: Int, genT: Int) -> Tensor {
    // relu(1 − s) for references and relu(1 + s) for generated, each masked to CLS or patch
    // rows and averaged over those rows.
    func part(_ s: Tensor, sign: Float, T: Int, patch: Bool) -> Tensor {
      let n = s.count / T
      let (cls, pm) = split(n, T)
      let mask = patch ? pm : cls
      let rows = Float(mask.reduce(0, +))
      guard rows > 0 else { return g.filled(Shape(), 0) }
      let margin = g.clamp(g.scale(s, -sign, offset: 1), 0, .greatestFiniteMagnitude)  // relu(1 − sign·s)
      return g.scale(g.sum(g.mul(margin, g.constant(mask, s.shape))), 1 / rows)
    }
    var negatives = part(genScores, sign: -1, T: genT, patch: false)
    if let mismatchScores {
      let w = config.mismatchWeight
      negatives = g.scale(g.add(negatives, g.scale(part(mismatchScores, sign: -1, T: refT, patch: false), w)), 1 / (1 + w))
    }
    let clsLoss = g.scale(g.add(part(refScores, sign: 1, T: refT, patch: false), negatives), 0.5)
    let patchLoss = g.scale(g.add(part(refScores, sign: 1, T: refT, patch: true), part(genScores, sign: -1, T: genT, patch: true)), 0.5)
    return g.add(clsLoss, g.scale(patchLoss, config.patchLossWeight))
  }

  func hingeValue(_ r: [Float], _ s: [Float], _ mismatch: [Float]? = nil, refT: Int, genT: Int) -> Float {
    func mean(_ xs: [Float], T: Int, patch: Bool, sign: Float) -> Float {
      var total: Float = 0, n: Float = 0
      for (i, x) in xs.enumerated() where (i % T == 0) != patch {
        total += max(0, 1 - sign * x)
        n += 1
      }
      return n > 0 ? total / n : 0
    }
    var negatives = mean(s, T: genT, patch: false, sign: -1)
    if let mismatch {
      let w = config.mismatchWeight
      negatives = (negatives + w * mean(mismatch, T: refT, patch: false, sign: -1)) / (1 + w)
    }
    let cls = 0.5 * (mean(r, T: refT, patch: false, sign: 1) + negatives)
    let patch = 0.5 * (mean(r, T: refT, patch: true, sign: 1) + mean(s, T: genT, patch: true, sign: -1))
    return cls + config.patchLossWeight * patch
  }

  func accuracy(_ r: [Float], _ s: [Float], refT: Int, genT: Int) -> Float {
    let nr = r.count / refT, ns = s.count / genT
    let realRight = (0..<nr).filter { r[$0 * refT] > 0 }.count
    let fakeRight = (0..<ns).filter { s[$0 * genT] < 0 }.count
    return 0.5 * (Float(realRight) / Float(max(nr, 1)) + Float(fakeRight) / Float(max(ns, 1)))
  }
}
