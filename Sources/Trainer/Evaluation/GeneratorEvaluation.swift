import Engine
import Foundation
import Models
import World

// `grpotop eval`: how well a generator follows held-out prompts, by judge-b (never a reward),
// framed by two rows that bound what the numbers can mean:
//   - clean renders of the same prompts: the judge's own ceiling (its errors on perfect images);
//   - the generator's images scored against the wrong prompts (each prompt's samples judged
//     against the next prompt's text): what alignment an image gets by chance alone.
// A generator worth post-training sits clearly between the two.

/// One row of the evaluation table: a name and its scores (Evaluator's keys).
public struct EvaluationRow: Sendable {
  public var name: String
  public var scores: [String: Double]
  public init(name: String, scores: [String: Double]) {
    self.name = name
    self.scores = scores
  }
}

/// The held-out evaluation of a generator against its ceiling and chance.
public enum GeneratorEvaluation {
  /// Samples `settings.prompts` held-out prompts × `settings.samplesPerPrompt` with the ODE
  /// sampler (`steps`) and scores them; adds the renders and shuffled-prompt rows.
  public static func run(generator: Generator, judge: AttributeJudge, backbone: ViT, settings: EvalSettings,
                         steps: Int, guidance: Float = 1, label: String = "generator") -> [EvaluationRow] {
    let evaluator = makeEvaluator(generator, judge: judge, backbone: backbone, settings: settings, steps: steps, guidance: guidance)
    let (pixels, expanded) = evaluator.samples(generator)
    let judged = evaluator.judgements(pixels)
    return [EvaluationRow(name: rowName(label, steps: steps, guidance: guidance), scores: evaluator.score(images: pixels, prompts: expanded, judged: judged))]
      + bounds(evaluator, pixels: pixels, judged: judged, prompts: expanded, imageSize: generator.config.imageSize)
  }

  /// `run` for `generator` and `baseline` on the same prompts and noise, plus their paired
  /// comparison (generator − baseline) over judge-b's per-sample verdicts.
  public static func paired(generator: Generator, baseline: Generator, judge: AttributeJudge, backbone: ViT, settings: EvalSettings,
                            steps: Int, guidance: Float = 1, labels: (String, String), seed: UInt64 = 0)
    -> (rows: [EvaluationRow], comparison: PairedComparison) {
    let evaluator = makeEvaluator(generator, judge: judge, backbone: backbone, settings: settings, steps: steps, guidance: guidance)
    let (pixels, expanded) = evaluator.samples(generator)
    let (basePixels, _) = evaluator.samples(baseline)
    // Each image set is judged once; the rows and the comparison read the same verdicts.
    let judged = evaluator.judgements(pixels) ?? [], baseJudged = evaluator.judgements(basePixels) ?? []
    let rows = [EvaluationRow(name: rowName(labels.0, steps: steps, guidance: guidance),
                              scores: evaluator.score(images: pixels, prompts: expanded, judged: judged)),
                EvaluationRow(name: rowName(labels.1, steps: steps, guidance: guidance),
                              scores: evaluator.score(images: basePixels, prompts: expanded, judged: baseJudged))]
      + bounds(evaluator, pixels: pixels, judged: judged, prompts: expanded, imageSize: generator.config.imageSize)
    let comparison = PairedComparison.compare(Evaluator.correctness(prompts: expanded, judged: judged),
                                              Evaluator.correctness(prompts: expanded, judged: baseJudged),
                                              groupSize: settings.samplesPerPrompt, seed: seed)
    return (rows, comparison)
  }

  static func makeEvaluator(_ generator: Generator, judge: AttributeJudge, backbone: ViT, settings: EvalSettings,
                            steps: Int, guidance: Float) -> Evaluator {
    Evaluator(settings: settings, sampleSteps: steps, guidance: guidance, imageSize: generator.config.imageSize,
              judge: judge, features: BackboneFeatures(backbone: backbone))
  }

  static func rowName(_ label: String, steps: Int, guidance: Float) -> String {
    guidance == 1 ? "\(label) (ODE \(steps) steps)" : "\(label) (ODE \(steps), cfg \(String(format: "%g", guidance)))"
  }

  /// The ceiling and chance rows for the generated `pixels` (judged as `judged`) answering `expanded`.
  static func bounds(_ evaluator: Evaluator, pixels: [Float], judged: [JudgedAttributes]?, prompts expanded: [Prompt],
                     imageSize: Int) -> [EvaluationRow] {
    let K = evaluator.settings.samplesPerPrompt, seed = evaluator.settings.seed
    // Renders with seeds of their own (the Fréchet references use another stream).
    let renders = evaluator.prompts.flatMap { ReferenceSet.render($0, count: K, size: imageSize, seed: seed &+ 77) }
    let ceiling = evaluator.score(images: renders.flatMap { $0.planarSigned() }, prompts: expanded)
    // The next prompt's text for every group: a generator that ignored its prompt scores this.
    let shifted = Array(expanded[K...] + expanded[..<K])
    let chance = evaluator.score(images: pixels, prompts: shifted, judged: judged, features: false)
    return [EvaluationRow(name: "clean renders (judge ceiling)", scores: ceiling),
            EvaluationRow(name: "wrong prompts (chance)", scores: chance)]
  }

  /// The attributes shown, in table order.
  static let columns: [JudgedAttribute] = [.colour, .shape, .position, .count, .background, .style,
                                            .secondColour, .secondShape]

  /// A fixed-width table: one row per model, accuracy per attribute in %, overall alignment,
  /// mean alignment probability, Fréchet distance and diversity where measured.
  public static func table(_ rows: [EvaluationRow]) -> String {
    let nameWidth = max(30, rows.map(\.name.count).max() ?? 0)
    func cell(_ v: Double?, _ scale: Double = 100, _ format: String = "%6.1f") -> String {
      v.map { String(format: format, $0 * scale) } ?? String(repeating: " ", count: 5) + "–"
    }
    var header = "".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
    for c in columns { header += " " + String(c.rawValue.replacingOccurrences(of: "second-", with: "2nd-").prefix(6)).leftPad(6) }
    header += "  overall  aligned  p(align)  frechet  diversity"
    var lines = [header]
    for r in rows {
      var line = r.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
      for c in columns { line += " " + cell(r.scores["alignment/\(c.rawValue)"]) }
      line += "   " + cell(r.scores["alignment_mean"])
      line += "   " + cell(r.scores["alignment"])
      line += "    " + cell(r.scores["alignment_prob"], 1, "%6.3f")
      line += "   " + cell(r.scores["frechet"], 1, "%6.3f")
      line += "     " + cell(r.scores["diversity"], 1, "%6.3f")
      lines.append(line)
    }
    lines.append("per-attribute accuracy, overall (their mean, as GenEval's) and aligned (every attribute the prompt names right) in %, by judge-b")
    return lines.joined(separator: "\n")
  }
}

extension String {
  /// Right-aligns in `width` columns.
  fileprivate func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
