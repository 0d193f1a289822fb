import Engine
import Foundation
import Imaging
import Models
import World

// How well an editor makes local edits (the editor's pretraining task), judged by judge-b
// against the instruction: for held-out edits of each kind, the accuracy of the attributes
// the edit is about (colours for a recolour, positions for a move, the background; for `keep`
// every attribute named except shape, which the base generator never learned to draw),
// beside the content image returned unchanged (the edit not made) and the target render
// (the judge's ceiling).

/// judge-b's verdict on an editor's local edits.
public enum EditEvaluation {
  /// The judged attributes an edit of `kind` is about.
  public static func attributes(_ kind: EditKind) -> Set<JudgedAttribute> {
    switch kind {
    case .recolour: return [.colour, .secondColour]
    case .move: return [.position, .secondPosition]
    case .background: return [.background]
    case .keep: return Set(JudgedAttribute.allCases).subtracting([.shape, .secondShape])
    }
  }

  /// One row per edit kind: (kind, edits, editor %, unchanged %, target %) accuracy on the
  /// attributes the edit is about.
  public static func rows(editor: Generator, judge: AttributeJudge, perKind: Int, seed: UInt64, steps: Int) -> [(String, Int, Double, Double, Double)] {
    let S = editor.config.imageSize
    let pairs = EditPairs.build(count: EditKind.allCases.count * perKind, size: S, heldOut: true, seed: seed, keepShare: 0.25,
                                distribution: PromptDistribution())
    let outputs = Generate.images(editor, prompts: pairs.map(\.instruction), contents: pairs.map(\.content), seed: seed, steps: steps)
    let graph = Graph()
    // Per output: the share of its edit's attributes that judge-b finds as instructed.
    func aligned(_ images: [RGBImage]) -> [Double] {
      zip(pairs, judge.predict(images: images, graph: graph)).map { pair, judged in
        let about = attributes(pair.kind)
        let verdicts = Alignment.correctness(prompt: pair.instruction, prediction: judged).filter { about.contains($0.key) }
        return verdicts.isEmpty ? 0 : Double(verdicts.values.filter { $0 }.count) / Double(verdicts.count)
      }
    }
    let (edited, unchanged, target) = (aligned(outputs), aligned(pairs.map(\.content)), aligned(pairs.map(\.target)))
    return EditKind.allCases.map { kind in
      let idx = pairs.indices.filter { pairs[$0].kind == kind }
      func share(_ hits: [Double]) -> Double { 100 * idx.reduce(0) { $0 + hits[$1] } / Double(max(idx.count, 1)) }
      return (kind.rawValue, idx.count, share(edited), share(unchanged), share(target))
    }
  }

  /// The table `grpotop eval --edits` prints.
  public static func table(_ rows: [(String, Int, Double, Double, Double)], label: String) -> String {
    var lines = ["\(label): held-out local edits, judge-b accuracy % on what the edit is about (keep: every attribute but shape)",
                 "edit         edits   editor   unchanged   target"]
    for r in rows {
      lines.append(r.0.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: " %6d %8.1f %11.1f %8.1f", r.1, r.2, r.3, r.4))
    }
    return lines.joined(separator: "\n")
  }
}
