import Engine
import Foundation
import Imaging
import Models
import World

// Style-GRPO's evaluation, the columns of the paper's table on our world (ALGORITHMS.md §5):
// on held-out content images, each asked for every style in turn, the editor's output is
// measured for
//   - structure: mean |edges(output) − edges(content)|, Sobel magnitude of the grey image
//     (lower keeps the content's layout; the paper's L1 on structure),
//   - content: cosine of backbone CLS features, output against content (the DINO column),
//   - style: judge-b's style head right about the asked style (the CLIP columns),
//   - StyleScore: the learned reward's mean score (it is also the training reward, so it is
//     the one column the reward can flatter).
// The perfect outputs (the style applied to the content) are scored too, as the ceiling.

/// The held-out style-transfer evaluation of an editor.
public final class StyleEvaluation {
  /// The held-out tasks: content image, instruction and perfect output.
  public let tasks: [EditPair]
  let judge: AttributeJudge?
  let features: BackboneFeatures?
  let styleScore: StyleScore?
  let steps: Int
  let seed: UInt64
  let graph = Graph()
  /// The content images, planar (N, 3, S, S), and their backbone readout: fixed, so computed once.
  let contents: [Float]
  private lazy var contentFeatures: [Float]? = readout(contents)

  /// `contents` held-out content images × every style, rendered at `imageSize`.
  public init(contents: Int, imageSize: Int, seed: UInt64, steps: Int, judge: AttributeJudge?, backbone: ViT?, styleScore: StyleScore?) {
    let prompts = PromptSampler(seed: seed).heldOut(count: contents)
    var tasks: [EditPair] = []
    for (c, prompt) in prompts.enumerated() {
      for (s, style) in Style.allCases.enumerated() {
        tasks.append(EditPairs.styled(prompt: prompt, style: style, size: imageSize, seed: seed &+ UInt64(c * 64 + s)))
      }
    }
    self.tasks = tasks
    self.judge = judge
    features = backbone.map { BackboneFeatures(backbone: $0) }
    self.contents = tasks.flatMap { $0.content.planarSigned() }
    self.styleScore = styleScore
    self.steps = steps
    self.seed = seed
  }

  /// The editor's outputs for every task (ODE, fixed noise).
  public func outputs(_ editor: Generator) -> [RGBImage] {
    Generate.images(editor, prompts: tasks.map(\.instruction), contents: tasks.map(\.content), seed: seed, steps: steps, graph: graph)
  }

  /// The four columns for the editor's outputs.
  public func evaluate(_ editor: Generator) -> [String: Double] { score(outputs(editor)) }

  /// The four columns for given outputs (one per task): the editor's, or the perfect ones.
  public func score(_ outputs: [RGBImage]) -> [String: Double] {
    precondition(outputs.count == tasks.count, "StyleEvaluation: \(outputs.count) outputs for \(tasks.count) tasks")
    var out: [String: Double] = [:]
    var structure = 0.0
    for (task, image) in zip(tasks, outputs) { structure += StyleEvaluation.edgeDistance(image, task.content) }
    out["style/structure_l1"] = structure / Double(max(tasks.count, 1))
    let images = outputs.flatMap { $0.planarSigned() }
    // One backbone pass per image set: [L2-normalised CLS | grid cells] (N, C·(1 + grid²)),
    // the CLS part for the cosine, the whole for StyleScore.
    if let fo = readout(images), let fc = contentFeatures, let width = features?.backbone.config.width {
      let N = tasks.count, F = fo.count / max(N, 1)
      var cosine = 0.0
      for n in 0..<N { cosine += Double(StyleEvaluation.cosine(fo[(n * F)..<(n * F + width)], fc[(n * F)..<(n * F + width)])) }
      out["style/content_cosine"] = cosine / Double(max(N, 1))
      if let styleScore {
        let scores = styleScore.scores(content: fc, output: fo, styles: tasks.map { StyleRewards.styleIndex($0.instruction) }, graph: graph)
        out["style/stylescore"] = scores.reduce(0.0) { $0 + Double($1) } / Double(max(N, 1))
      }
    }
    if let judge, let head = judge.config.head(named: "style") {
      let judged = judge.predict(images: images, graph: graph)
      let right = zip(tasks, judged).filter { $1.argmax(head) == AttributeClass.style($0.instruction.style) }.count
      out["style/judge_accuracy"] = Double(right) / Double(max(tasks.count, 1))
    }
    return out
  }

  /// The table `grpotop eval --style` prints: one row per (label, scores).
  public static func table(_ rows: [(String, [String: Double])]) -> String {
    let width = max(28, rows.map(\.0.count).max() ?? 0)
    var lines = ["editor".padding(toLength: width, withPad: " ", startingAt: 0) + "  structure L1 ↓  content cos ↑  judge-b style % ↑  StyleScore ↑"]
    for (label, s) in rows {
      func f(_ key: String, _ format: String, _ scale: Double = 1) -> String { s[key].map { String(format: format, $0 * scale) } ?? "–" }
      lines.append(label.padding(toLength: width, withPad: " ", startingAt: 0)
        + f("style/structure_l1", "%15.4f") + f("style/content_cosine", "%15.3f") + f("style/judge_accuracy", "%19.1f", 100)
        + f("style/stylescore", "%14.3f"))
    }
    lines.append("structure: mean |Sobel(output) − Sobel(content)|; content: backbone CLS cosine to the content image;")
    lines.append("style: judge-b's style head right about the asked style; StyleScore: the learned reward (also the training reward)")
    return lines.joined(separator: "\n")
  }

  /// The backbone readout StyleScore reads (CLS only without StyleScore), or nil without a backbone.
  func readout(_ images: [Float]) -> [Float]? {
    guard let features else { return nil }
    let t = features.tokens(images), c = features.backbone.config
    return PreferenceHead.readout(tokens: t.values, count: t.count, tokens: t.tokens, width: t.width, side: c.imageSize / c.patch,
                                  grid: styleScore?.config.grid ?? 0)
  }

  /// Mean |Sobel(a) − Sobel(b)| over pixels, on grey images in [0, 1].
  static func edgeDistance(_ a: RGBImage, _ b: RGBImage) -> Double {
    let ea = edges(a), eb = edges(b)
    var s = 0.0
    for i in ea.indices { s += Double(abs(ea[i] - eb[i])) }
    return s / Double(max(ea.count, 1))
  }

  /// The Sobel gradient magnitude of the grey image (H·W), edges clamped, scaled to [0, 1].
  static func edges(_ image: RGBImage) -> [Float] {
    let W = image.width, H = image.height
    let grey = image.planarSigned().withUnsafeBufferPointer { p -> [Float] in
      (0..<(H * W)).map { i in (p[i] + p[H * W + i] + p[2 * H * W + i]) / 6 + 0.5 }  // mean of 3 channels, [0, 1]
    }
    func at(_ y: Int, _ x: Int) -> Float { grey[min(max(y, 0), H - 1) * W + min(max(x, 0), W - 1)] }
    var out = [Float](repeating: 0, count: H * W)
    for y in 0..<H {
      for x in 0..<W {
        let gx = at(y - 1, x + 1) + 2 * at(y, x + 1) + at(y + 1, x + 1) - at(y - 1, x - 1) - 2 * at(y, x - 1) - at(y + 1, x - 1)
        let gy = at(y + 1, x - 1) + 2 * at(y + 1, x) + at(y + 1, x + 1) - at(y - 1, x - 1) - 2 * at(y - 1, x) - at(y - 1, x + 1)
        out[y * W + x] = min(1, (gx * gx + gy * gy).squareRoot() / 4)
      }
    }
    return out
  }

  static func cosine(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
    var dot: Float = 0, na: Float = 0, nb: Float = 0
    for (x, y) in zip(a, b) {
      dot += x * y
      na += x * x
      nb += y * y
    }
    return dot / max((na * nb).squareRoot(), 1e-12)
  }
}
