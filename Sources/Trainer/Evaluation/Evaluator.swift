import Engine
import Foundation
import Imaging
import Models
import World

/// The evaluation the reward cannot fool (ALGORITHMS.md §6), on a fixed held-out prompt set
/// with fixed noise: judge-b's prompt alignment (overall and per attribute), the Fréchet
/// distance of backbone features to clean references of the same prompts, and in-group
/// diversity (mean pairwise feature distance among a prompt's samples: a collapse detector).
public final class Evaluator {
  public let prompts: [Prompt]
  let settings: EvalSettings
  let sampleSteps: Int
  /// Classifier-free guidance of the evaluation samples (1: none), as the run samples.
  let guidance: Float
  let judge: AttributeJudge?
  let features: BackboneFeatures?
  let referenceFeatures: [Float]?
  /// Style-GRPO's evaluation, which replaces the text-to-image one for an editor.
  let style: StyleEvaluation?
  let graph = Graph()

  public init(settings: EvalSettings, sampleSteps: Int, guidance: Float = 1, imageSize: Int, judge: AttributeJudge?,
              features: BackboneFeatures?, style: StyleEvaluation? = nil) {
    self.settings = settings
    self.sampleSteps = sampleSteps
    self.guidance = guidance
    self.judge = judge
    self.features = features
    self.style = style
    prompts = PromptSampler(seed: settings.seed).heldOut(count: settings.prompts)
    // An editor's evaluation has no reference set: render none.
    if let features, style == nil {
      let refs = prompts.flatMap { ReferenceSet.render($0, count: settings.samplesPerPrompt, size: imageSize, seed: settings.seed ^ 0xF1D) }
      referenceFeatures = features.cls(refs.flatMap { $0.planarSigned() })
    } else {
      referenceFeatures = nil
    }
  }

  /// Generates the evaluation images (prompt-major, `samplesPerPrompt` each) and scores them.
  public func evaluate(_ generator: Generator) -> [String: Double] {
    if let style { return style.evaluate(generator) }
    let (images, expanded) = samples(generator)
    return score(images: images, prompts: expanded)
  }

  /// The evaluation images (N, 3, S, S), prompt-major, and the prompt each answers.
  public func samples(_ generator: Generator) -> (images: [Float], prompts: [Prompt]) {
    let expanded = prompts.flatMap { Array(repeating: $0, count: settings.samplesPerPrompt) }
    let images = Generate.images(generator, prompts: expanded, seed: settings.seed, steps: sampleSteps, guidance: guidance, graph: graph)
    return (images.flatMap { $0.planarSigned() }, expanded)
  }

  /// judge-b's verdicts on images (N, 3, S, S), or nil without a judge: pass them to `score`
  /// and `correctness` when the same images are scored more than once.
  public func judgements(_ images: [Float]) -> [JudgedAttributes]? {
    judge.map { $0.predict(images: images, graph: graph) }
  }

  /// Scores images (N, 3, S, S) answering `prompts` (one each, grouped by prompt). `judged`
  /// reuses verdicts from `judgements(images)`; `features: false` leaves out the Fréchet
  /// distance and the diversity (one backbone pass fewer).
  public func score(images: [Float], prompts expanded: [Prompt], judged given: [JudgedAttributes]? = nil,
                    features withFeatures: Bool = true) -> [String: Double] {
    var out: [String: Double] = [:]
    if let judged = given ?? judgements(images) {
      var aligned = 0, prob = 0.0
      var right: [JudgedAttribute: Int] = [:], asked: [JudgedAttribute: Int] = [:]
      for (p, j) in zip(expanded, judged) {
        if Alignment.isAligned(prompt: p, prediction: j) { aligned += 1 }
        prob += Double(Alignment.probability(prompt: p, prediction: j))
        for (attr, ok) in Alignment.correctness(prompt: p, prediction: j) {
          asked[attr, default: 0] += 1
          if ok { right[attr, default: 0] += 1 }
        }
      }
      out["alignment"] = Double(aligned) / Double(max(expanded.count, 1))
      out["alignment_prob"] = prob / Double(max(expanded.count, 1))
      for (attr, n) in asked { out["alignment/\(attr.rawValue)"] = Double(right[attr, default: 0]) / Double(n) }
      // GenEval's "overall": the unweighted mean of the per-attribute accuracies, so a rare
      // attribute counts as much as colour. `alignment` (every attribute right) is stricter.
      // Summed in the enum's order: a dictionary's order changes from process to process, and
      // with it the last bit of the sum, so a rerun would not repeat its events exactly.
      if !asked.isEmpty {
        let accuracies = JudgedAttribute.allCases.compactMap { attr in
          asked[attr].map { Double(right[attr, default: 0]) / Double($0) }
        }
        out["alignment_mean"] = accuracies.reduce(0, +) / Double(accuracies.count)
      }
    }
    if withFeatures, let features, let referenceFeatures {
      let f = features.cls(images)
      let d = features.backbone.config.width
      out["frechet"] = FrechetDistance.between(f, referenceFeatures, dim: d)
      out["diversity"] = Evaluator.diversity(f, dim: d, groupSize: settings.samplesPerPrompt)
    }
    return out
  }

  /// Per image, which of the attributes its prompt asks for judge-b finds right (from
  /// `judgements`): the raw material of `score`'s accuracies, kept per sample for paired
  /// comparisons.
  public static func correctness(prompts expanded: [Prompt], judged: [JudgedAttributes]) -> [[JudgedAttribute: Bool]] {
    zip(expanded, judged).map { Alignment.correctness(prompt: $0, prediction: $1) }
  }

  /// Mean over groups of the mean pairwise L2 distance between features in the group.
  public static func diversity(_ f: [Float], dim d: Int, groupSize K: Int) -> Double {
    let n = f.count / d
    guard K > 1 else { return 0 }
    var total = 0.0, groups = 0
    for start in stride(from: 0, to: n - K + 1, by: K) {
      var sum = 0.0, pairs = 0
      for a in start..<(start + K) {
        for b in (a + 1)..<(start + K) {
          var s = 0.0
          for i in 0..<d {
            let x = Double(f[a * d + i] - f[b * d + i])
            s += x * x
          }
          sum += s.squareRoot()
          pairs += 1
        }
      }
      total += sum / Double(max(pairs, 1))
      groups += 1
    }
    return total / Double(max(groups, 1))
  }
}
