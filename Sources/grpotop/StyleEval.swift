import ArgumentParser
import Dashboard
import Engine
import Foundation
import Imaging
import Models
import Trainer
import World

// `grpotop eval --style`: the paper's table for editors (base, +SFT, GRPO only, SFT+GRPO, or
// any others), on held-out content images each asked for every style, beside the perfect
// outputs as the ceiling; `--sheet` draws content, instruction and every editor's output.

extension EvalCommand {
  /// One editor to evaluate: a label and where its weights are ("base": the shipped editor).
  struct NamedEditor {
    var label: String
    var source: String

    /// "label=path" or just "path" (then the path is the label too). The last "=" splits, so
    /// a label may hold one ("α=1=runs/x").
    init(_ text: String) {
      if let eq = text.lastIndex(of: "="), eq != text.startIndex {
        label = String(text[..<eq])
        source = String(text[text.index(after: eq)...])
      } else {
        label = text
        source = text
      }
    }
  }

  func runStyle() throws {
    BLAS.setThreads(1)
    let start = Date()
    let named = (editors.isEmpty ? ["base"] : editors).map(NamedEditor.init)
    let models = try named.map { ($0.label, $0.source == "base" ? try ModelLoader.editor(path: nil) : try Checkpoint.anyGenerator(path: $0.source)) }
    for (label, m) in models where !m.config.hasContent {
      throw ConfigError("\(label): holds a text-to-image generator, not an editor")
    }
    let evaluation = StyleEvaluation(contents: prompts, imageSize: models[0].1.config.imageSize, seed: seed, steps: steps,
                                     judge: try judge.map { try ModelLoader.judge(path: $0) } ?? ModelLoader.judge(named: "judge-b"),
                                     backbone: try ModelLoader.backbone(path: backbone), styleScore: try ModelLoader.styleScore(path: nil))

    if edits {
      let judgeB = try judge.map { try ModelLoader.judge(path: $0) } ?? ModelLoader.judge(named: "judge-b")
      for (label, model) in models {
        print(EditEvaluation.table(EditEvaluation.rows(editor: model, judge: judgeB, perKind: prompts, seed: seed, steps: steps), label: label))
      }
    }
    var rows: [(String, [String: Double])] = []
    var outputs: [[RGBImage]] = []
    for (label, model) in models {
      let out = evaluation.outputs(model)
      outputs.append(out)
      rows.append((label, evaluation.score(out)))
    }
    rows.append(("perfect (the style applied)", evaluation.score(evaluation.tasks.map(\.target))))
    rows.append(("content unchanged", evaluation.score(evaluation.tasks.map(\.content))))
    print("\(prompts) held-out content images × \(Style.allCases.count) styles, seed \(seed), ODE \(steps) steps "
      + "(\(String(format: "%.1f", Date().timeIntervalSince(start))) s)")
    print(StyleEvaluation.table(rows))
    if let json {
      let object = Dictionary(rows.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
      try AtomicFile.write(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), to: json)
    }
    if let sheet {
      let image = try StyleSheet.draw(tasks: evaluation.tasks, outputs: outputs, labels: models.map(\.0), rows: 6)
      try PNG.write(image, to: sheet)
      print("sheet: \(sheet)")
    }
  }
}

/// The PNG sheet: per row a content image, its instruction's style, the perfect output and
/// each editor's output, 4× enlarged, with labels in the snapshot font.
enum StyleSheet {
  static func draw(tasks: [EditPair], outputs: [[RGBImage]], labels: [String], rows: Int) throws -> RGBImage {
    let font = try BitmapFont.load()
    let scale = 4, S = tasks.first?.content.width ?? 32, cell = S * scale, pad = 6
    let columns = ["content", "perfect"] + labels
    let labelWidth = 8 * 28
    let width = labelWidth + columns.count * (cell + pad) + pad, header = 20
    // Tasks are content-major, every style per content: row r shows style r mod 6 of a
    // content spread over the list, so the rows cover the styles and several contents.
    let styles = Style.allCases.count, count = min(rows, tasks.count)
    let step = max(1, tasks.count / styles / max(count, 1))
    let picks = (0..<count).map { r in (r * step * styles + r % styles) % tasks.count }
    var sheet = RGBImage(width: width, height: header + count * (cell + pad) + pad, fill: (0.08, 0.08, 0.09))
    for (c, name) in columns.enumerated() {
      text(&sheet, String(name.prefix(cell / 8)), x: labelWidth + pad + c * (cell + pad), y: 2, font: font)
    }
    for (r, t) in picks.enumerated() {
      let y = header + pad + r * (cell + pad)
      let task = tasks[t]
      text(&sheet, "in \(task.instruction.style?.rawValue ?? "no") style", x: 4, y: y, font: font)
      // The content's prompt, wrapped at word boundaries into the label column.
      var line = "", lineY = y + 20
      for word in task.contentPrompt.text.split(separator: " ") {
        if !line.isEmpty && line.count + 1 + word.count > 27 {
          text(&sheet, line, x: 4, y: lineY, font: font)
          lineY += 16
          line = ""
        }
        line += (line.isEmpty ? "" : " ") + word
      }
      text(&sheet, line, x: 4, y: lineY, font: font)
      let images = [task.content, task.target] + outputs.map { $0[t] }
      for (c, image) in images.enumerated() { blit(&sheet, image, scale: scale, x: labelWidth + pad + c * (cell + pad), y: y) }
    }
    return sheet
  }

  /// Nearest-neighbour enlargement of `image` into `sheet` at (x, y).
  static func blit(_ sheet: inout RGBImage, _ image: RGBImage, scale: Int, x: Int, y: Int) {
    for sy in 0..<(image.height * scale) {
      for sx in 0..<(image.width * scale) {
        let src = ((sy / scale) * image.width + sx / scale) * 3, dst = ((y + sy) * sheet.width + x + sx) * 3
        for ch in 0..<3 { sheet.pixels[dst + ch] = image.pixels[src + ch] }
      }
    }
  }

  /// Draws `string` in light grey with the 16-pixel bitmap font, clipped to the sheet.
  static func text(_ sheet: inout RGBImage, _ string: String, x: Int, y: Int, font: BitmapFont) {
    var pen = x
    for scalar in string.unicodeScalars {
      guard let glyph = font.glyph(scalar) ?? font.replacement else { continue }
      for gy in 0..<BitmapFont.glyphHeight {
        for gx in 0..<glyph.width where glyph.pixel(gx, gy) {
          let px = pen + gx, py = y + gy
          guard px >= 0, px < sheet.width, py >= 0, py < sheet.height else { continue }
          let i = (py * sheet.width + px) * 3
          sheet.pixels[i] = 0.85
          sheet.pixels[i + 1] = 0.85
          sheet.pixels[i + 2] = 0.85
        }
      }
      pen += glyph.width
    }
  }
}
