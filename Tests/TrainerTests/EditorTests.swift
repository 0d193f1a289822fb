import Engine
import Foundation
import Imaging
import Models
import TestSupport
import Trainer
import World
import XCTest

/// The editor and its data: edit pairs change what they say and nothing else, the content
/// tokens reach the output, and the style evaluation measures what it claims.
final class EditorTests: XCTestCase {
  /// Every edit changes exactly its attribute in the prompt; the render changes with it, and
  /// `keep` leaves the image as it was.
  func testEditPairsChangeExactlyTheirAttribute() {
    let prompts = PromptSampler(seed: 4).training(count: 24)
    var seen = Set<EditKind>()
    for (i, prompt) in prompts.enumerated() {
      let kind = EditKind.allCases[i % EditKind.allCases.count]
      guard let pair = EditPairs.make(prompt: prompt, kind: kind, size: 16, seed: UInt64(40 + i)) else { continue }
      seen.insert(kind)
      let (a, b) = (pair.contentPrompt, pair.instruction)
      let what = "\(kind): \(a.text) → \(b.text)"
      XCTAssertNil(a.style, what)
      XCTAssertNil(b.style, what)
      XCTAssertEqual(a.objects.count, b.objects.count, what)
      let recoloured = zip(a.objects, b.objects).filter { $0.colour != $1.colour }.count
      let moved = zip(a.objects, b.objects).filter { $0.position != $1.position }.count
      let reshaped = zip(a.objects, b.objects).filter { $0.shape != $1.shape || $0.count != $1.count }.count
      XCTAssertEqual(reshaped, 0, what)
      switch kind {
      case .recolour: XCTAssertEqual([recoloured, moved, a.background == b.background ? 0 : 1], [1, 0, 0], what)
      case .move: XCTAssertEqual([recoloured, moved, a.background == b.background ? 0 : 1], [0, 1, 0], what)
      case .background: XCTAssertEqual([recoloured, moved, a.background == b.background ? 0 : 1], [0, 0, 1], what)
      case .keep: XCTAssertEqual(a, b, what)
      }
      if kind == .keep { XCTAssertEqual(pair.content, pair.target, what) } else { XCTAssertNotEqual(pair.content, pair.target, what) }
    }
    XCTAssertEqual(seen, Set(EditKind.allCases))
  }

  /// A style task keeps the content's prompt, adds the style, and its target is the style
  /// applied to that very content.
  func testStyleTaskIsTheStyleAppliedToTheContent() {
    let prompt = PromptSampler(seed: 9).heldOut(count: 1)[0]
    let task = EditPairs.styled(prompt: prompt, style: .neon, size: 16, seed: 5)
    var asked = task.contentPrompt
    asked.style = .neon
    XCTAssertEqual(task.instruction, asked)
    XCTAssertNotEqual(task.content, task.target)
    XCTAssertEqual(EditPairs.styled(prompt: prompt, style: .neon, size: 16, seed: 5).target, task.target, "deterministic by seed")
  }

  /// The content image is in the sequence: another content changes the velocity, and with
  /// content_embed and LoRA the editor is a generator plus exactly one table.
  func testContentTokensReachTheVelocity() {
    var cfg = GeneratorConfig.tiny
    cfg.vocabularySize = 10
    cfg.promptTokens = 4
    let plainStore = ParameterStore()
    _ = Generator(cfg, store: plainStore)
    cfg.contentTokens = true
    let store = ParameterStore()
    let editor = Generator(cfg, store: store)
    store.allocate(seed: 2)
    XCTAssertEqual(Set(store.entries.map(\.name)).subtracting(plainStore.entries.map(\.name)), ["content_embed"])
    var rng = RNG(seed: 3)
    for e in store.entries where e.name.contains("adaLN") || e.name.hasPrefix("final_layer") {
      rng.fillNormal(store.values + e.offset, count: e.shape.count, std: 0.05)
    }
    let S = cfg.imageSize, D = 3 * S * S
    var x = [Float](repeating: 0, count: 2 * D), c1 = x, c2 = x
    rng.fillNormal(&x, count: x.count, std: 1)
    rng.fillNormal(&c1, count: c1.count, std: 0.5)
    rng.fillNormal(&c2, count: c2.count, std: 0.5)
    func v(_ content: [Float]) -> [Float] {
      let g = Graph()
      g.recording = false
      return editor.velocity(g, x: g.constant(x, Shape(2, 3, S, S)), t: g.constant([0.5, 0.3], Shape(2)),
                             tokens: g.constant([1, 2, 0, 0, 3, 0, 0, 0], Shape(2, 4)), mask: g.constant([1, 1, 0, 0, 1, 0, 0, 0], Shape(2, 4)),
                             content: g.constant(content, Shape(2, 3, S, S))).toArray()
    }
    let a = v(c1), b = v(c2)
    XCTAssertEqual(a.count, 2 * D)
    XCTAssertGreaterThan(zip(a, b).map { abs($0 - $1) }.max() ?? 0, 1e-4, "the content image does not reach the output")
    XCTAssertEqual(v(c1), a, "deterministic")
  }

  /// The style evaluation's columns: the content unchanged has zero structure distance and
  /// cosine 1; the perfect outputs change the structure.
  func testStyleEvaluationColumns() {
    let eval = StyleEvaluation(contents: 2, imageSize: 16, seed: 3, steps: 2, judge: nil, backbone: nil, styleScore: nil)
    XCTAssertEqual(eval.tasks.count, 2 * Style.allCases.count)
    XCTAssertEqual(Set(eval.tasks.compactMap(\.instruction.style)), Set(Style.allCases))
    let unchanged = eval.score(eval.tasks.map(\.content))
    XCTAssertEqual(unchanged["style/structure_l1"] ?? -1, 0, accuracy: 1e-9)
    XCTAssertGreaterThan(eval.score(eval.tasks.map(\.target))["style/structure_l1"] ?? 0, 0.01)
  }

  /// `pretrain editor` on a tiny model: it trains, reports every kind and the style row,
  /// and the same config and seed write the same file byte for byte.
  func testTinyEditorPretrainingIsDeterministic() throws {
    var cfg = EditorPretrainConfig()
    cfg.initWeights = ""
    cfg.model = .tiny
    cfg.steps = 3
    cfg.batchSize = 4
    cfg.evalPairs = 6
    cfg.evalSteps = 2
    let dirs = (0..<2).map { _ in FileManager.default.temporaryDirectory.appendingPathComponent("grpotop-editor-\(UUID().uuidString)").path }
    defer { for d in dirs { try? FileManager.default.removeItem(atPath: d) } }
    var reports: [EditorPretrainReport] = []
    for d in dirs {
      cfg.output = d
      reports.append(try pretrainEditor(cfg, log: { _ in }))
    }
    XCTAssertEqual(reports[0].heldOut.map(\.task), EditKind.allCases.map(\.rawValue) + ["style"])
    XCTAssertTrue(reports[0].lossCurve.allSatisfy { $0[1].isFinite })
    let files = try dirs.map { try Data(contentsOf: URL(fileURLWithPath: "\($0)/editor.safetensors")) }
    XCTAssertEqual(files[0], files[1])
    let editor = try ModelLoader.editor(path: "\(dirs[0])/editor.safetensors")
    XCTAssertTrue(editor.config.hasContent)
    XCTAssertThrowsError(try ModelLoader.generator(path: "\(dirs[0])/editor.safetensors"), "an editor file is not a generator")
  }
}

/// What `eval --edits` judges, and that its columns line up with the edits they score.
final class EditEvaluationTests: XCTestCase {
  func testRowsFollowTheEditsTheyScore() {
    let editor = TinyRuns.generator(lora: LoRAConfig(rank: 2, alpha: 4), content: true, seed: 31)
    let store = ParameterStore()
    let judge = AttributeJudge(.world(trunk: ViTConfig(imageSize: 16, patch: 4, width: 16, depth: 1, heads: 2, mlpRatio: 2)), store: store)
    store.allocate(seed: 32)
    let rows = EditEvaluation.rows(editor: editor, judge: judge, perKind: 4, seed: 3, steps: 2)
    XCTAssertEqual(rows.map(\.0), EditKind.allCases.map(\.rawValue))
    XCTAssertEqual(rows.map(\.1).reduce(0, +), 4 * EditKind.allCases.count)
    // A `keep` edit's target is its content, so the two reference columns must agree there.
    let keep = rows[EditKind.allCases.firstIndex(of: .keep) ?? 0]
    XCTAssertGreaterThan(keep.1, 0)
    XCTAssertEqual(keep.3, keep.4, accuracy: 1e-9)
    XCTAssertTrue(rows.allSatisfy { (0...100).contains($0.2) && (0...100).contains($0.3) && (0...100).contains($0.4) })
    // Each kind is judged on what it changes; shape never counts.
    XCTAssertEqual(EditEvaluation.attributes(.recolour), [.colour, .secondColour])
    XCTAssertEqual(EditEvaluation.attributes(.move), [.position, .secondPosition])
    XCTAssertFalse(EditEvaluation.attributes(.keep).contains(.shape))
  }
}
