import Engine
import Foundation

// Is a post-trained generator better than its base, or did it draw a luckier set of prompts?
// The base's overall score moves by 1–3 points between sets of held-out prompts, about as
// much as GRPO moves it, so a difference of two separate evaluations says little. Here both
// generators answer the same prompts from the same noise, and the difference of their scores
// is resampled over prompts (a paired bootstrap: a prompt's samples stay together, since they
// share the prompt's difficulty). The interval holds the differences of 95 % of the resamples.
//
// Scores are those of `grpotop eval`: per-attribute accuracy (right / asked, pooled over the
// prompts drawn), overall = their unweighted mean over the attributes asked in the resample,
// aligned = the share of samples right on every attribute asked.

/// A paired comparison of two generators judged on the same prompts and noise.
public struct PairedComparison: Sendable {
  /// One score of both generators, their difference (A − B) and its bootstrap interval.
  public struct Row: Sendable, Equatable {
    public var name: String
    public var a: Double
    public var b: Double
    public var difference: Double { a - b }
    /// 2.5th and 97.5th percentiles of the resampled differences.
    public var low: Double
    public var high: Double
    /// Whether the interval leaves out zero.
    public var isClear: Bool { low > 0 || high < 0 }
  }

  public var rows: [Row]
  public var prompts: Int
  public var resamples: Int

  /// Per prompt, per attribute: how often each generator was asked it and got it right. Asked
  /// counts are per generator: for two objects the judge's slots are matched to the prompt's
  /// objects per image, so one image's "position" can be another's "second-position".
  struct PromptCounts {
    var askedA: [Int]  // (attributes)
    var askedB: [Int]
    var rightA: [Int]
    var rightB: [Int]
    var alignedA: Int
    var alignedB: Int
    var samples: Int
  }

  /// Compares A and B from judge-b's per-sample correctness (prompt-major, `groupSize` samples
  /// per prompt, sample i of A and B answering the same prompt from the same noise).
  public static func compare(_ a: [[JudgedAttribute: Bool]], _ b: [[JudgedAttribute: Bool]], groupSize K: Int,
                             resamples: Int = 2000, seed: UInt64 = 0) -> PairedComparison {
    precondition(a.count == b.count && K >= 1 && a.count % K == 0, "PairedComparison: \(a.count) and \(b.count) samples in groups of \(K)")
    let attributes = JudgedAttribute.allCases
    let P = a.count / K
    var counts: [PromptCounts] = []
    counts.reserveCapacity(P)
    for p in 0..<P {
      let zeros = [Int](repeating: 0, count: attributes.count)
      var c = PromptCounts(askedA: zeros, askedB: zeros, rightA: zeros, rightB: zeros, alignedA: 0, alignedB: 0, samples: K)
      for i in (p * K)..<((p + 1) * K) {
        for (k, attribute) in attributes.enumerated() {
          if let ok = a[i][attribute] {
            c.askedA[k] += 1
            if ok { c.rightA[k] += 1 }
          }
          if let ok = b[i][attribute] {
            c.askedB[k] += 1
            if ok { c.rightB[k] += 1 }
          }
        }
        if !a[i].isEmpty && a[i].values.allSatisfy({ $0 }) { c.alignedA += 1 }
        if !b[i].isEmpty && b[i].values.allSatisfy({ $0 }) { c.alignedB += 1 }
      }
      counts.append(c)
    }

    let names = attributes.map(\.rawValue) + ["overall", "aligned"]
    let full = scores(counts, picks: Array(0..<P))
    var draws = [[Double]](repeating: [], count: names.count)
    var rng = RNG(seed: seed)
    var picks = [Int](repeating: 0, count: P)
    for _ in 0..<resamples {
      for j in 0..<P { picks[j] = rng.int(P) }
      let s = scores(counts, picks: picks)
      for n in names.indices { if let d = s.difference[n] { draws[n].append(d) } }
    }
    var rows: [Row] = []
    for n in names.indices {
      guard let scoreA = full.a[n], let scoreB = full.b[n] else { continue }
      let sorted = draws[n].sorted()
      rows.append(Row(name: names[n], a: scoreA, b: scoreB, low: percentile(sorted, 0.025), high: percentile(sorted, 0.975)))
    }
    return PairedComparison(rows: rows, prompts: P, resamples: resamples)
  }

  /// Scores of A and B over the prompts `picks` (with repeats): per attribute (nil where never
  /// asked), then overall and aligned, in `compare`'s name order.
  static func scores(_ counts: [PromptCounts], picks: [Int]) -> (a: [Double?], b: [Double?], difference: [Double?]) {
    let A = JudgedAttribute.allCases.count
    var askedA = [Int](repeating: 0, count: A), askedB = askedA, rightA = askedA, rightB = askedA
    var alignedA = 0, alignedB = 0, samples = 0
    for p in picks {
      let c = counts[p]
      for k in 0..<A {
        askedA[k] += c.askedA[k]
        askedB[k] += c.askedB[k]
        rightA[k] += c.rightA[k]
        rightB[k] += c.rightB[k]
      }
      alignedA += c.alignedA
      alignedB += c.alignedB
      samples += c.samples
    }
    var a: [Double?] = [], b: [Double?] = []
    for k in 0..<A {
      a.append(askedA[k] > 0 ? Double(rightA[k]) / Double(askedA[k]) : nil)
      b.append(askedB[k] > 0 ? Double(rightB[k]) / Double(askedB[k]) : nil)
    }
    func mean(_ xs: [Double?]) -> Double? {
      let present = xs.compactMap { $0 }
      return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
    }
    let overallA = mean(a), overallB = mean(b)
    a += [overallA, samples > 0 ? Double(alignedA) / Double(samples) : nil]
    b += [overallB, samples > 0 ? Double(alignedB) / Double(samples) : nil]
    let difference = zip(a, b).map { x, y in x.flatMap { x in y.map { x - $0 } } }
    return (a, b, difference)
  }

  /// The q-quantile of sorted values (nearest rank); 0 for none.
  static func percentile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((q * Double(sorted.count - 1)).rounded())
    return sorted[min(max(rank, 0), sorted.count - 1)]
  }

  /// The comparison as `grpotop eval --against --json` writes it: per score, A, B, A − B and
  /// the interval, as fractions.
  public var jsonObject: [String: Any] {
    var scores: [String: Any] = [:]
    for r in rows {
      scores[r.name] = ["a": r.a, "b": r.b, "difference": r.difference, "low": r.low, "high": r.high, "clear": r.isClear]
    }
    return ["prompts": prompts, "resamples": resamples, "scores": scores]
  }

  /// The comparison as printed by `grpotop eval --against`: one line per score, in points.
  public func table(nameA: String, nameB: String) -> String {
    var lines = ["\(nameA) − \(nameB): same \(prompts) prompts and noise; difference in points, 95 % interval of \(resamples) paired resamples of the prompts",
                 "attribute           A       B    A − B   interval"]
    for r in rows {
      let label = r.name.padding(toLength: 16, withPad: " ", startingAt: 0)
      let figures = String(format: " %6.1f  %6.1f  %+6.1f   [%+.1f, %+.1f]", 100 * r.a, 100 * r.b, 100 * r.difference, 100 * r.low, 100 * r.high)
      lines.append(label + figures + (r.isClear ? "  *" : ""))
    }
    lines.append("* the interval leaves out 0")
    return lines.joined(separator: "\n")
  }
}
