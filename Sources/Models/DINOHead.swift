import Engine
import Foundation

// DINO (Caron et al. 2021, "Emerging properties in self-supervised vision transformers"):
// a student ViT and its EMA teacher both map an image view through a projection head to K
// prototype scores; the student learns to predict, from every view, the teacher's centred and
// sharpened distribution over prototypes for the *other* global views. Centring (subtracting a
// running mean of teacher outputs) stops one prototype from winning everything; sharpening (a
// low teacher temperature) stops the uniform collapse. The head is training-only: the backbone
// is what ships.

/// The projection head's shape: an MLP to a bottleneck, L2-normalised, then K prototypes.
public struct DINOHeadConfig: Codable, Sendable, Equatable {
  /// Width of the MLP's hidden layers.
  public var hidden = 512
  /// Width of the bottleneck that is L2-normalised before the prototypes.
  public var bottleneck = 128
  /// Number of prototypes K (the output dimension).
  public var prototypes = 512
  /// Linear layers in the MLP (GELU between them); DINO uses 3.
  public var layers = 3

  public init(hidden: Int = 512, bottleneck: Int = 128, prototypes: Int = 512, layers: Int = 3) {
    self.hidden = hidden
    self.bottleneck = bottleneck
    self.prototypes = prototypes
    self.layers = layers
  }
}

/// DINO's projection head: MLP → bottleneck → L2-normalise → cosine scores against K prototypes.
///
/// Names follow the reference code's nn.Sequential: `head.mlp.0`, `head.mlp.2`, `head.mlp.4`
/// (GELUs at the odd indices) and `head.last_layer.weight` (K, bottleneck). The last layer is
/// weight-normalised with its gain fixed at 1 (DINO's `norm_last_layer=True`): its rows are
/// L2-normalised inside the forward pass, so the scores are cosines in [−1, 1] and a
/// temperature alone sets their sharpness.
public struct DINOHead {
  public let config: DINOHeadConfig
  public let store: ParameterStore
  let mlp: [LinearLayer]
  /// The raw prototype directions (K, bottleneck); only their direction matters.
  public let prototypes: Param

  /// Declares the head's parameters under `prefix` for inputs of width `inputDim`.
  public init(_ config: DINOHeadConfig, inputDim: Int, store: ParameterStore, prefix: String = "head") {
    precondition(config.layers >= 1, "DINOHead: at least one MLP layer")
    self.config = config
    self.store = store
    var layers: [LinearLayer] = []
    for i in 0..<config.layers {
      let fanIn = i == 0 ? inputDim : config.hidden
      let fanOut = i == config.layers - 1 ? config.bottleneck : config.hidden
      layers.append(LinearLayer(store, "\(prefix).mlp.\(2 * i)", in: fanIn, out: fanOut))
    }
    mlp = layers
    prototypes = store.declare("\(prefix).last_layer.weight", Shape(config.prototypes, config.bottleneck), init: .normal(std: 0.02))
  }

  /// The L2-normalised bottleneck: x (N, inputDim) → (N, bottleneck), unit rows.
  public func embed(_ g: Graph, _ x: Tensor) -> Tensor {
    var h = x
    for (i, layer) in mlp.enumerated() {
      h = layer(g, h)
      if i < mlp.count - 1 { h = g.gelu(h) }
    }
    return g.l2Normalize(h)
  }

  /// Cosine scores against the prototypes: x (N, inputDim) → (N, K), each in [−1, 1].
  public func callAsFunction(_ g: Graph, _ x: Tensor) -> Tensor {
    scores(g, embedding: embed(g, x))
  }

  /// Cosine scores of unit embeddings z (N, bottleneck) from `embed` → (N, K).
  public func scores(_ g: Graph, embedding z: Tensor) -> Tensor {
    let w = g.l2Normalize(store[prototypes])  // (K, bottleneck), gradient flows to the raw rows
    return g.linear(z, w, nil)
  }
}

/// A ViT and its DINO head in one store: the backbone's names are bare (timm's), the head's
/// start with `head.`, so the backbone alone is saved by dropping that prefix.
public struct DINONetwork {
  public let backbone: ViT
  public let head: DINOHead
  public let store: ParameterStore
  /// iBOT's learned embedding of a masked patch (1, C), when masked image modelling is on.
  public let maskToken: Param?
  /// SimMIM's linear pixel decoder C → 3·p·p for masked patches, when the target is pixels.
  public let pixelDecoder: LinearLayer?

  /// Declares backbone and head in `store` (allocate it afterwards); `maskToken` adds the
  /// training-only `mim.mask_token` for masked image modelling.
  /// `pixelDecoder` adds `mim.decoder`, which reads masked patches' pixels back.
  public init(backbone config: ViTConfig, head headConfig: DINOHeadConfig, store: ParameterStore, maskToken: Bool = false,
              pixelDecoder: Bool = false) {
    self.store = store
    backbone = ViT(config, store: store)
    head = DINOHead(headConfig, inputDim: config.width, store: store)
    self.maskToken = maskToken ? store.declare("mim.mask_token", Shape(1, config.width), init: .normal(std: 0.02)) : nil
    self.pixelDecoder = pixelDecoder ? LinearLayer(store, "mim.decoder", in: config.width, out: 3 * config.patch * config.patch) : nil
  }

  /// Every token of `images` (N, 3, H, W) with the patches where `keep` (N, P, C) is 0
  /// replaced by the mask token: (N, 1 + P, C).
  public func maskedTokens(_ g: Graph, images: Tensor, keep: Tensor?) -> Tensor {
    var masked: (keep: Tensor, token: Tensor)? = nil
    if let keep {
      precondition(maskToken != nil, "DINONetwork: masking needs the mask token")
      if let maskToken { masked = (keep, store[maskToken]) }
    }
    return backbone.tokens(g, images: images, masked: masked)
  }

  /// Prototype scores of the CLS features: images (N, 3, H, W) → (N, K).
  public func scores(_ g: Graph, images: Tensor) -> Tensor {
    head(g, backbone.cls(g, images: images))
  }

  /// Prototype scores of the CLS token and of every patch token, from one pass:
  /// images (N, 3, H, W) → cls (N, K) and patches (N·P, K), image-major. `keep` (N, P, C),
  /// 1 for a visible patch and 0 for a masked one, masks the input (needs `maskToken`).
  public func tokenScores(_ g: Graph, images: Tensor, keep: Tensor? = nil) -> (cls: Tensor, patches: Tensor) {
    let (cls, patches) = split(g, maskedTokens(g, images: images, keep: keep))
    return (head(g, cls), head(g, patches))
  }

  /// Tokens (N, 1 + P, C) → the CLS rows (N, C) and the patch rows (N·P, C), image-major.
  public func split(_ g: Graph, _ tokens: Tensor) -> (cls: Tensor, patches: Tensor) {
    let N = tokens.shape[0], C = backbone.config.width, P = backbone.config.patchTokens
    return (g.sliceTokens(tokens, start: 0, count: 1).reshaped(N, C), g.sliceTokens(tokens, start: 1, count: P).reshaped(N * P, C))
  }

  /// Whether a parameter belongs to the backbone (what ships) rather than the training-only
  /// head and mask token.
  public static func isBackbone(_ name: String) -> Bool { !name.hasPrefix("head.") && !name.hasPrefix("mim.") }
}

/// The teacher side of DINO on plain arrays: centring, sharpening and the running centre.
/// No gradient ever flows through the teacher, so none of this is on the tape.
public struct DINOCentre: Sendable, Equatable {
  /// The running mean c (K) of teacher scores.
  public private(set) var centre: [Float]
  /// EMA momentum of the centre (DINO: 0.9).
  public let momentum: Float

  /// A zero centre over `prototypes` outputs.
  public init(prototypes: Int, momentum: Float) {
    centre = [Float](repeating: 0, count: prototypes)
    self.momentum = momentum
  }

  /// Teacher targets softmax((t − c) / τ) per row: scores (N, K) → probabilities (N, K).
  public func sharpen(_ scores: [Float], temperature: Float) -> [Float] {
    let K = centre.count, N = scores.count / max(K, 1)
    precondition(N * K == scores.count, "DINOCentre.sharpen: \(scores.count) scores for K = \(K)")
    var out = [Float](repeating: 0, count: scores.count)
    for n in 0..<N {
      var top = -Float.infinity
      for k in 0..<K { top = max(top, (scores[n * K + k] - centre[k]) / temperature) }
      // Subtracting the row maximum keeps exp finite at τ = 0.04 (scores / τ reach ±25).
      var total: Double = 0
      for k in 0..<K {
        let e = Foundation.exp((scores[n * K + k] - centre[k]) / temperature - top)
        out[n * K + k] = e
        total += Double(e)
      }
      let inv = Float(1 / total)
      for k in 0..<K { out[n * K + k] *= inv }
    }
    return out
  }

  /// c ← m·c + (1 − m)·mean over rows of `scores` (N, K), after each step's teacher pass.
  public mutating func update(with scores: [Float]) {
    let K = centre.count, N = scores.count / max(K, 1)
    guard N > 0 else { return }
    var mean = [Double](repeating: 0, count: K)
    for n in 0..<N { for k in 0..<K { mean[k] += Double(scores[n * K + k]) } }
    for k in 0..<K { centre[k] = momentum * centre[k] + (1 - momentum) * Float(mean[k] / Double(N)) }
  }
}

/// DINO's loss-side helpers: target assembly, the EMA teacher and its momentum schedule.
public enum DINO {
  /// The summed targets per student view: view v gets Σ of the teacher distributions of the
  /// global views other than v (same-view pairs are skipped).
  /// teacherProbs (G, B, K) view-major → (V, B, K) view-major, with views 0..<G the globals.
  public static func targets(teacherProbs: [Float], globalViews G: Int, views V: Int, batch B: Int) -> [Float] {
    let K = teacherProbs.count / max(G * B, 1)
    precondition(K * G * B == teacherProbs.count && V >= G, "DINO.targets: \(teacherProbs.count) probs for G=\(G), B=\(B)")
    var out = [Float](repeating: 0, count: V * B * K)
    let row = B * K
    for v in 0..<V {
      for t in 0..<G where t != v {
        for i in 0..<row { out[v * row + i] += teacherProbs[t * row + i] }
      }
    }
    return out
  }

  /// Number of (teacher view, student view) pairs: each global teacher view with every other view.
  public static func pairCount(globalViews G: Int, views V: Int) -> Int { G * (V - 1) }

  /// The DINO loss of a chunk of student views against their summed targets:
  /// −Σ_pairs Σ_k p_t,k · log softmax(s_v / τ_s)_k, averaged over samples and over all pairs
  /// of the step (`pairs`), so the chunks of one step add up to DINO's loss.
  /// scores (n·B, K) cosines of n student views; targets (n·B, K) from `targets`.
  public static func loss(_ g: Graph, studentScores: Tensor, targets: Tensor, studentTemperature: Float, batch B: Int, pairs: Int) -> Tensor {
    let rows = studentScores.shape.rows
    let ce = g.softCrossEntropy(g.scale(studentScores, 1 / studentTemperature), targets: targets)  // Σ / rows
    // softCrossEntropy divides by rows = n·B; DINO divides by B·pairs.
    return g.scale(ce, Float(rows) / Float(B * pairs))
  }

  /// θ_teacher ← m·θ_teacher + (1 − m)·θ_student over two stores of the same layout.
  public static func updateTeacher(_ teacher: ParameterStore, from student: ParameterStore, momentum m: Float) {
    precondition(teacher.count == student.count, "DINO.updateTeacher: stores of \(teacher.count) and \(student.count) floats")
    let t = teacher.values, s = student.values, a = 1 - m
    for i in 0..<teacher.count { t[i] = m * t[i] + a * s[i] }
  }

  /// The teacher momentum at `step` of `total`: base → 1 along a half cosine (DINO's schedule).
  public static func momentum(step: Int, total: Int, base: Float) -> Float {
    let progress = Double(step) / Double(max(total - 1, 1))
    return 1 - (1 - base) * Float((Foundation.cos(Double.pi * min(progress, 1)) + 1) / 2)
  }

  /// Shannon entropy in nats of each row of probabilities (N, K), averaged: a collapse monitor
  /// (log K = uniform collapse, 0 = one prototype for everything).
  public static func meanEntropy(_ probs: [Float], prototypes K: Int) -> Float {
    let N = probs.count / max(K, 1)
    guard N > 0 else { return 0 }
    var total = 0.0
    for i in 0..<(N * K) where probs[i] > 0 { total -= Double(probs[i]) * Foundation.log(Double(probs[i])) }
    return Float(total / Double(N))
  }

  /// Entropy of the batch-mean distribution (K): high when many prototypes are in use, so a
  /// collapse to one prototype shows as a value near 0 even while each row stays sharp.
  public static func marginalEntropy(_ probs: [Float], prototypes K: Int) -> Float {
    let N = probs.count / max(K, 1)
    guard N > 0 else { return 0 }
    var mean = [Double](repeating: 0, count: K)
    for n in 0..<N { for k in 0..<K { mean[k] += Double(probs[n * K + k]) / Double(N) } }
    return Float(mean.reduce(0) { $1 > 0 ? $0 - $1 * Foundation.log($1) : $0 })
  }
}
