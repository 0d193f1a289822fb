import Engine
import Foundation
import Models
import Trainer

// `grpotop eval --judges`: the judges' own held-out table (per attribute, clean and styled
// renders) for the shipped judges or any judge file, on as many renders as asked. The first
// 1,000 of the held-out set (seed 7) are the ones the pretraining report scores and training
// never sees; a larger set adds fresh renders of prompts that training may have drawn.

extension EvalCommand {
  func runJudges() throws {
    BLAS.setThreads(1)
    let start = Date()
    let named: [(String, AttributeJudge)] = try judge.map { [($0, try ModelLoader.judge(path: $0))] }
      ?? ["judge-a", "judge-b"].map { ($0, try ModelLoader.judge(named: $0)) }
    var eval = JudgeEvalConfig()
    eval.count = prompts
    eval.seed = seed
    let defaults = JudgePretrainConfig()
    let results = named.map { name, model in
      (name, JudgeEvaluation.run(model, eval: eval, prompts: defaults.prompts, styleStrength: defaults.styleStrength))
    }
    print("seed \(seed) (\(String(format: "%.1f", Date().timeIntervalSince(start))) s)")
    print(results.map { name, result in
      result.table(title: name) + String(format: "\nworst clean attribute %.1f%%", 100 * result.worstClean)
    }.joined(separator: "\n\n"))
    // The same tables as JSON, keyed by judge (as each pretraining report's "heldOut").
    if let json { try AtomicFile.writeJSON(Dictionary(results, uniquingKeysWith: { a, _ in a }), to: json) }
  }
}
