import Engine
import Foundation
import Models
import World

/// `grpotop pretrain backbone`: self-supervised training of the ViT on world renders, no labels:
/// DINO's self-distillation, SimCLR's instance contrast, or both (the shipped run: contrast).
public struct BackbonePretrainConfig: ValidatedConfig, Equatable {
  public var seed: UInt64 = 1
  /// 4,800 steps of 64 at ~50 images/s: about 1h45m on one core. Half as long leaves the
  /// shape probe at 34.3 % (random init 16.9 %), short of the 20-point bar; this reaches 40.9 %.
  public var steps = 4800
  /// Source images per step; each gives `crops.views` views (two without DINO). Instance
  /// contrast draws its negatives from the batch, so it wants more than DINO's 16.
  public var batchSize = 64
  /// Peak AdamW learning rate (after linear warm-up, cosine decay to a tenth).
  public var lr: Float = 5e-4
  public var warmupSteps = 100
  public var weightDecay: Float = 0.04
  public var gradClip: Float = 3.0
  /// Teacher EMA momentum at step 0; it rises to 1 along a half cosine. DINO's 0.996 suits
  /// runs of 10⁵ steps; over our ~10³ it leaves the teacher nearly frozen for the last third
  /// (0.99 gave +15 points of colour-probe accuracy at the same budget).
  public var teacherMomentum: Float = 0.99
  /// Teacher softmax temperature τ_t (sharpening).
  public var teacherTemperature: Float = 0.04
  /// Student softmax temperature τ_s.
  public var studentTemperature: Float = 0.1
  /// Momentum of the running centre of teacher outputs.
  public var centreMomentum: Float = 0.9
  /// Steps during which the prototypes stay frozen (DINO's early-training stabiliser).
  public var freezePrototypesSteps = 50
  /// Student views per forward/backward pass; gradients accumulate over the passes of a step.
  public var viewsPerPass = 2
  /// Loss points kept for the report's curve.
  public var curvePoints = 100
  public var model = ViTConfig()
  public var head = DINOHeadConfig()
  public var crops = MultiCropConfig()
  /// iBOT's masked-patch objective beside DINO's CLS objective (weight 0: DINO alone).
  public var mim = MaskedImageModellingConfig()
  /// Weight of DINO's CLS loss; 0 leaves instance contrast alone (no teacher, no local views).
  /// Ten DINO variants left the shape probe at chance; contrast moved it (see the config file).
  public var dinoWeight: Float = 0
  /// SimCLR's instance contrast between the two global views (weight 0: off).
  public var contrastive = ContrastiveConfig(weight: 1)
  /// Training prompts: every style (half the renders), second objects, and explicit
  /// backgrounds on a few: with more, the prototypes sort images by background (the largest
  /// pixel mass) and the object's attributes are learned later.
  public var prompts = PromptDistribution(secondObject: 0.4, position: 0.5, size: 0.5, background: 0.15, pattern: 0.3, style: 0.5)
  /// Style strength range [lo, hi] of the styled renders.
  public var styleStrength: [Float] = [0.3, 1.0]
  /// Start the patch positions from 2-D sin-cos values instead of N(0, 0.02) (see
  /// ImageFeatures: random positions leave position at chance for thousands of images).
  public var sinCosPositions = true
  /// Linear probes on the trained teacher and a random-init ViT (trainImages 0 skips them).
  public var probe = ProbeConfig()
  /// Directory for weights and report.
  public var output = "runs/pretrain/backbone"

  public init() {
    // The judges' six input channels (RGB, edges, object mask), hue turned in every view, and
    // half the global views the object pasted elsewhere on a new ground (ObjectPaste).
    model.channels = 6
    crops.colour.globalHue = 0.8
    crops.paste = 0.5
  }
  public static var defaults: BackbonePretrainConfig { BackbonePretrainConfig() }

  public func validate() throws {
    try require(steps >= 1, "steps", "must be at least 1, got \(steps)")
    try require(batchSize >= 1 && batchSize <= 512, "batchSize", "must be in 1...512, got \(batchSize)")
    try require(lr > 0 && lr < 1, "lr", "must be in (0, 1), got \(lr)")
    try require(teacherMomentum >= 0 && teacherMomentum < 1, "teacherMomentum", "must be in [0, 1), got \(teacherMomentum)")
    try require(teacherTemperature > 0 && studentTemperature > 0, "teacherTemperature", "temperatures must be > 0")
    try require(centreMomentum >= 0 && centreMomentum < 1, "centreMomentum", "must be in [0, 1), got \(centreMomentum)")
    try require(viewsPerPass >= 1, "viewsPerPass", "must be at least 1, got \(viewsPerPass)")
    try require(styleStrength.count == 2 && styleStrength[0] >= 0 && styleStrength[0] <= styleStrength[1] && styleStrength[1] <= 1,
                "styleStrength", "must be [lo, hi] with 0 ≤ lo ≤ hi ≤ 1, got \(styleStrength)")
    try require(model.imageSize % model.patch == 0 && model.imageSize >= 4, "model.imageSize", "must be ≥ 4 and a multiple of model.patch (\(model.patch))")
    try require(model.width % model.heads == 0, "model.width", "must be divisible by model.heads (\(model.heads))")
    try require(head.prototypes >= 2 && head.bottleneck >= 1 && head.hidden >= 1 && head.layers >= 1, "head", "sizes must be positive (prototypes ≥ 2)")
    try crops.validate(prefix: "crops")
    try mim.validate(prefix: "mim")
    try contrastive.validate(prefix: "contrastive")
    try require(dinoWeight >= 0 && dinoWeight <= 100, "dinoWeight", "must be in [0, 100], got \(dinoWeight)")
    try require(dinoWeight > 0 || contrastive.weight > 0, "dinoWeight", "0 needs contrastive.weight > 0 (there would be no loss)")
    try require(contrastive.weight == 0 || mim.weight == 0, "contrastive.weight", "cannot be combined with mim.weight > 0")
    try require(batchSize >= 2 || contrastive.weight == 0, "batchSize", "must be at least 2 for contrastive.weight > 0 (no negatives)")
    try probe.validate(prefix: "probe")
  }
}

/// What a backbone pretraining run reports beside its weights.
public struct BackbonePretrainReport: Codable, Sendable {
  public var steps: Int
  public var batchSize: Int
  /// Views per source image (2 global + local).
  public var views: Int
  /// Training seconds (without the probes).
  public var seconds: Double
  /// Source images per second of training.
  public var imagesPerSecond: Double
  /// Student views (forward + backward) per second.
  public var viewsPerSecond: Double
  public var threads: Int
  public var finalLoss: Float
  /// (step, mean DINO loss over the preceding window).
  public var lossCurve: [[Float]]
  /// (step, mean row entropy of the teacher targets, entropy of their batch mean), in nats:
  /// the collapse monitor (log K is uniform collapse, a marginal entropy near 0 one-prototype).
  public var teacherEntropyCurve: [[Float]]
  /// Backbone parameters (what ships; the head is training-only).
  public var parameters: Int
  /// Which weights were probed and saved.
  public var saved: String
  public var probe: ProbeReport?
}

/// The student and teacher after DINO training, with the curves of the run.
public struct BackboneTrainingResult {
  public let student: DINONetwork
  public let teacher: DINONetwork
  public let lossCurve: [[Float]]
  public let entropyCurve: [[Float]]
  public let seconds: Double
}

/// Trains the student (and its EMA teacher) by DINO self-distillation, instance contrast, or
/// both. Deterministic in `cfg.seed` (rendering runs on a second thread, but every batch is a
/// pure function of its step).
public func trainBackbone(_ cfg: BackbonePretrainConfig, log: (String) -> Void) -> BackboneTrainingResult {
  let studentStore = ParameterStore(), teacherStore = ParameterStore()
  let mim = cfg.mim.weight > 0
  let dino = cfg.dinoWeight > 0, contrast = cfg.contrastive.weight > 0
  let pixels = mim && cfg.mim.target == .pixels
  let student = DINONetwork(backbone: cfg.model, head: cfg.head, store: studentStore, maskToken: mim, pixelDecoder: pixels)
  let teacher = DINONetwork(backbone: cfg.model, head: cfg.head, store: teacherStore, maskToken: mim, pixelDecoder: pixels)
  studentStore.allocate(seed: cfg.seed)
  if cfg.sinCosPositions { initialisePositions(studentStore, cfg.model) }
  teacherStore.allocate(seed: cfg.seed)
  teacherStore.restore(studentStore.snapshot())
  teacherStore.setTrainable(false) { _ in true }  // the teacher only ever moves by EMA
  let opt = AdamW(store: studentStore, config: AdamWConfig(lr: cfg.lr, weightDecay: cfg.weightDecay))
  let schedule = WarmupCosine(warmupSteps: cfg.warmupSteps, finalFraction: 0.1)
  var centre = DINOCentre(prototypes: cfg.head.prototypes, momentum: cfg.centreMomentum)
  var patchCentre = DINOCentre(prototypes: cfg.head.prototypes, momentum: cfg.centreMomentum)  // iBOT keeps its own

  let B = cfg.batchSize, S = cfg.model.imageSize, K = cfg.head.prototypes, D = 3 * S * S
  // Without DINO only the two global views are made: local crops serve DINO's targets alone.
  let crops = { var c = cfg.crops; if !dino { c.localCrops = 0 }; return c }()
  let V = crops.views, G = MultiCropConfig.globalCrops, pairs = DINO.pairCount(globalViews: G, views: V)
  let backboneCount = studentStore.entries.filter { DINONetwork.isBackbone($0.name) }.reduce(0) { $0 + $1.shape.count }
  log("backbone: \(backboneCount) parameters (+ \(studentStore.count - backboneCount) in the DINO head), \(cfg.steps) steps of \(B) images × \(V) views at \(S) px")
  let sampler = PromptSampler(seed: cfg.seed, distribution: cfg.prompts)
  let dataRNG = RNG(seed: cfg.seed).stream(1)
  let maskRNG = RNG(seed: cfg.seed).stream(2)
  let P = cfg.model.patchTokens, side = cfg.model.imageSize / cfg.model.patch, C = cfg.model.width
  // Student passes: with MIM or contrast the global views go first as one pass (their masks
  // and patch targets, or the two halves of each positive pair, belong together), then the
  // local views a few at a time.
  let firstViews = mim || contrast ? [0] + Array(stride(from: G, to: V, by: cfg.viewsPerPass)) : Array(stride(from: 0, to: V, by: cfg.viewsPerPass))
  let strength = cfg.styleStrength
  let batches = BatchPrefetcher { step in
    MultiCropBatch.make(step: step, batch: B, imageSize: S, crops: crops, sampler: sampler, styleStrength: strength, rng: dataRNG)
  }
  let prototypesFrozen: (String) -> Bool = { $0 == "head.last_layer.weight" }

  let g = Graph()
  var progress = ProgressLine(label: "pretrain backbone", total: cfg.steps)
  var curve: [[Float]] = [], entropyCurve: [[Float]] = [], window: [Float] = [], entropyWindow: [(Float, Float)] = []
  let every = max(1, cfg.steps / max(1, cfg.curvePoints))
  for step in 0..<cfg.steps {
    let batch = batches.take(step, prefetchNext: step + 1 < cfg.steps)
    opt.config.lr = schedule.rate(step: step, total: cfg.steps, lr: cfg.lr)
    if step == 0 && cfg.freezePrototypesSteps > 0 { studentStore.setTrainable(false, where: prototypesFrozen) }
    if step == cfg.freezePrototypesSteps { studentStore.setTrainable(true, where: prototypesFrozen) }

    // Teacher: global views only, no tape; targets are centred and sharpened scores.
    g.reset()
    g.recording = false
    let globals = g.constant(Array(batch.views[0..<(G * B * D)]), Shape(G * B, 3, S, S))
    var teacherScores: [Float] = [], teacherPatches: [Float] = []
    if !dino {
      // instance contrast alone: no teacher targets
    } else if mim && !pixels {
      let (cls, patches) = teacher.tokenScores(g, images: globals)
      (teacherScores, teacherPatches) = (cls.toArray(), patches.toArray())  // (G·B, K), (G·B·P, K)
    } else {
      teacherScores = teacher.scores(g, images: globals).toArray()
    }
    g.recording = true
    let probs = centre.sharpen(teacherScores, temperature: cfg.teacherTemperature)  // (G·B, K)
    let targets = !dino ? [] : DINO.targets(teacherProbs: probs, globalViews: G, views: V, batch: B)  // (V·B, K)
    // Masks of the student's global views and the teacher's patch distributions behind them.
    var maskStream = maskRNG.stream(UInt64(step))
    let masks = mim ? PatchMasks.batch(views: G * B, side: side, ratio: cfg.mim.ratio, rng: &maskStream) : []  // (G·B·P)
    let patchTargets = mim && !pixels
      ? PatchMasks.targets(teacherProbs: patchCentre.sharpen(teacherPatches, temperature: cfg.mim.teacherTemperature), mask: masks, prototypes: K)
      : (targets: [], masked: 0)

    // Student: all views, a few at a time, gradients accumulating over the passes.
    studentStore.zeroGrads()
    var loss: Float = 0, patchLoss: Float = 0, retrieval: Float = 0
    for first in firstViews {
      let n = (mim || contrast) && first == 0 ? G : min(cfg.viewsPerPass, V - first)
      g.reset()
      let x = g.constant(Array(batch.views[(first * B * D)..<((first + n) * B * D)]), Shape(n * B, 3, S, S))
      // DINO's targets for these views; only built when DINO is on (then every pass has them).
      let t = g.constant(dino ? Array(targets[(first * B * K)..<((first + n) * B * K)]) : [], Shape(dino ? n * B : 0, K))
      func dinoLoss(_ scores: Tensor) -> Tensor {
        g.scale(DINO.loss(g, studentScores: scores, targets: t, studentTemperature: cfg.studentTemperature, batch: B, pairs: pairs),
                cfg.dinoWeight)
      }
      let l: Tensor
      if contrast && first == 0 {
        let z = student.head.embed(g, student.backbone.cls(g, images: x))  // (G·B, bottleneck), unit rows
        retrieval = InstanceContrast.accuracy(z)
        let nce = g.scale(InstanceContrast.loss(g, embeddings: z, temperature: cfg.contrastive.temperature), cfg.contrastive.weight)
        l = dino ? g.add(nce, dinoLoss(student.head.scores(g, embedding: z))) : nce
      } else if mim && first == 0 {
        let keep = g.constant(Shape(G * B, P, C)) { 1 - masks[$0 / C] }
        let (cls, patch) = maskedGlobalLosses(g, student: student, views: x, keep: keep, clsTargets: t, masks: masks,
                                              patchTargets: patchTargets, cfg: cfg, pairs: pairs)
        patchLoss = patch[0]
        l = g.add(g.scale(cls, cfg.dinoWeight), g.scale(patch, cfg.mim.weight))
      } else {
        l = dinoLoss(student.scores(g, images: x))
      }
      g.backward(from: l)
      loss += l[0]
    }
    studentStore.clipGradNorm(cfg.gradClip)
    opt.update()
    // Without DINO nothing reads the teacher: it keeps its starting weights and costs nothing.
    if dino {
      DINO.updateTeacher(teacherStore, from: studentStore, momentum: DINO.momentum(step: step, total: cfg.steps, base: cfg.teacherMomentum))
      centre.update(with: teacherScores)
    }
    if mim && !pixels { patchCentre.update(with: teacherPatches) }

    window.append(loss)
    if dino { entropyWindow.append((DINO.meanEntropy(probs, prototypes: K), DINO.marginalEntropy(probs, prototypes: K))) }
    if (step + 1) % every == 0 || step + 1 == cfg.steps {
      let n = Float(window.count)
      curve.append([Float(step + 1), window.reduce(0, +) / n])
      entropyCurve.append([Float(step + 1), entropyWindow.reduce(0) { $0 + $1.0 } / n, entropyWindow.reduce(0) { $0 + $1.1 } / n])
      window.removeAll(keepingCapacity: true)
      entropyWindow.removeAll(keepingCapacity: true)
    }
    let e = entropyCurve.last ?? [0, 0, 0]
    var fields = [("loss", String(format: "%.4f", curve.last?[1] ?? loss))]
    if dino { fields.append(("H", String(format: "%.2f/%.2f", e[1], e[2]))) }  // teacher entropy: row / batch mean
    if mim { fields.append(("mim", String(format: "%.3f", patchLoss))) }
    if contrast { fields.append(("top1", String(format: "%.2f", retrieval))) }  // partner found among the batch's views
    progress.update(step + 1, items: (step + 1) * B, fields: fields)
  }
  return BackboneTrainingResult(student: student, teacher: teacher, lossCurve: curve, entropyCurve: entropyCurve, seconds: progress.elapsed)
}

/// The student's two losses on its masked global views x (G·B, 3, S, S), `keep` (G·B, P, C):
/// DINO's on the CLS token against `clsTargets`, and the patch loss on the masked patches,
/// iBOT's against the teacher's `patchTargets` or SimMIM's against the views' own pixels.
private func maskedGlobalLosses(_ g: Graph, student: DINONetwork, views x: Tensor, keep: Tensor, clsTargets t: Tensor, masks: [Float],
                                patchTargets: (targets: [Float], masked: Int), cfg: BackbonePretrainConfig,
                                pairs: Int) -> (cls: Tensor, patch: Tensor) {
  let rows = x.shape[0] * cfg.model.patchTokens, K = cfg.head.prototypes
  let (clsTokens, patches) = student.split(g, student.maskedTokens(g, images: x, keep: keep))  // (N, C), (N·P, C)
  let cls = DINO.loss(g, studentScores: student.head(g, clsTokens), targets: t, studentTemperature: cfg.studentTemperature,
                      batch: cfg.batchSize, pairs: pairs)
  guard let decoder = student.pixelDecoder else {
    return (cls, PatchMasks.loss(g, studentScores: student.head(g, patches), targets: g.constant(patchTargets.targets, Shape(rows, K)),
                                 masked: patchTargets.masked, studentTemperature: cfg.studentTemperature))
  }
  let predictions = decoder(g, patches)  // (N·P, 3p²)
  return (cls, PatchMasks.pixelLoss(g, predictions: predictions, targets: PatchMasks.pixelTargets(g, images: x, patch: cfg.model.patch),
                                    mask: masks))
}

/// Writes 2-D sin-cos values into the patch rows of a bare ViT's `pos_embed`.
func initialisePositions(_ store: ParameterStore, _ model: ViTConfig) {
  ImageFeatures.fillSinCosPositions(store, name: "pos_embed", grid: model.imageSize / model.patch, width: model.width)
}

/// Linear probes of `backbone` against the same architecture at the random initialisation
/// `cfg` would start from (its seed, and sin-cos positions when it uses them).
public func probeBackbone(_ backbone: ViT, _ cfg: BackbonePretrainConfig, log: (String) -> Void) -> ProbeReport {
  let randomStore = ParameterStore()
  let random = ViT(backbone.config, store: randomStore)
  randomStore.allocate(seed: cfg.seed)  // the student's starting point
  if cfg.sinCosPositions { initialisePositions(randomStore, backbone.config) }
  return LinearProbe.evaluate(trained: backbone, random: random, config: cfg.probe, seed: cfg.seed &+ 1000, log: log)
}

/// Trains the backbone (`trainBackbone`), probes what ships against a random-init ViT,
/// and saves the backbone tensors (timm names, no `head.`) with a JSON report: the EMA
/// teacher's under DINO, the student's under contrast alone.
public func pretrainBackbone(_ cfg: BackbonePretrainConfig, log: (String) -> Void) throws -> BackbonePretrainReport {
  let run = trainBackbone(cfg, log: log)
  // Only the backbone ships: copy its tensors into a bare ViT store.
  let store = ParameterStore()
  let backbone = ViT(cfg.model, store: store)
  store.allocate(seed: cfg.seed)
  // Without DINO the teacher is never read, and its EMA ends frozen: the student ships.
  let source = cfg.dinoWeight > 0 ? run.teacher : run.student
  store.copyMatching(from: source.store)
  try saveWeights(store, model: "backbone", config: cfg.model, to: "\(cfg.output)/backbone.safetensors")

  var probe: ProbeReport? = nil
  if cfg.probe.trainImages > 0 && cfg.probe.testImages > 0 {
    probe = probeBackbone(backbone, cfg, log: log)
  }
  let steps = Double(cfg.steps * cfg.batchSize)
  let views = cfg.dinoWeight > 0 ? cfg.crops.views : MultiCropConfig.globalCrops  // local crops serve DINO only
  let report = BackbonePretrainReport(
    steps: cfg.steps, batchSize: cfg.batchSize, views: views, seconds: run.seconds,
    imagesPerSecond: steps / run.seconds, viewsPerSecond: steps * Double(views) / run.seconds,
    threads: BLAS.threads, finalLoss: run.lossCurve.last?[1] ?? 0, lossCurve: run.lossCurve,
    teacherEntropyCurve: run.entropyCurve, parameters: store.count, saved: cfg.dinoWeight > 0 ? "EMA teacher backbone" : "student backbone", probe: probe)
  try AtomicFile.writeJSON(report, to: "\(cfg.output)/report.json")
  log("backbone: weights and report in \(cfg.output)")
  return report
}
