import Foundation
import RunProtocol

/// Turns a run's events into one progress line per iteration, for runs without a terminal:
/// iteration, rewards, KL, clipfrac, seconds per iteration and ETA.
public struct HeadlessReporter {
  var total = 0
  var algorithm = ""
  var lastStep: [String: Double] = [:]
  var started: Date? = nil
  var firstIteration = 0

  public init() {}

  /// The line to print for `event`, if any.
  public mutating func line(for event: RunEvent, now: Date = Date()) -> String? {
    switch event.payload {
    case .runStart(let s):
      total = s.totalIterations
      algorithm = s.algorithm
      firstIteration = s.startIteration
      started = now
      return "\(s.algorithm): \(s.totalIterations) iterations of \(s.promptsPerIteration)×\(s.groupSize) samples, rewards \(s.rewards.joined(separator: "+")) → \(s.runDirectory ?? "")"
    case .stepMetrics(let m):
      lastStep = m.values
      return nil
    case .iterationMetrics(let m):
      let done = m.iteration + 1
      var parts = ["iter \(done)/\(total)"]
      if let g = m.values["r_gen"], let r = m.values["r_ref"] {
        parts.append(String(format: "r_gen %.3f r_ref %.3f", g, r))
      }
      for (k, v) in m.values.sorted(by: { $0.key < $1.key }) where k.hasPrefix("reward/") && k.hasSuffix("/mean") && k != "reward/total/mean" {
        let name = String(k.dropFirst(7).dropLast(5))
        if GroupRelativeRewards.names.contains(name), let spread = m.values["reward/\(name)/std"] {
          parts.append(String(format: "%@ spread %.3f", name, spread))
        } else {
          parts.append(String(format: "%@ %.3f", name, v))
        }
      }
      if let sft = m.values["sft_loss"] {
        parts.append(String(format: "SFT loss %.4f", sft))
      } else if m.values["skipped_update"] == 1 {
        parts.append("D update")
      } else {
        parts.append(String(format: "kl %.2e clipfrac %.2f", lastStep["kl"] ?? 0, lastStep["clipfrac"] ?? 0))
      }
      if let started {
        let secs = now.timeIntervalSince(started) / Double(max(done - firstIteration, 1))
        parts.append(String(format: "%.1f s/it", secs))
        parts.append("ETA " + ProgressLine.duration(secs * Double(max(total - done, 0))))
      }
      return parts.joined(separator: " · ")
    case .discriminatorUpdate(let d):
      return String(format: "  discriminator (%@): loss %.3f → %.3f, accuracy %.2f → %.2f", d.reason, d.lossBefore, d.lossAfter, d.accuracyBefore, d.accuracyAfter)
    case .evaluation(let m):
      let keys = ["alignment", "alignment_mean", "alignment_prob", "frechet", "diversity",
                  "style/structure_l1", "style/content_cosine", "style/judge_accuracy", "style/stylescore"]
      let text = keys.compactMap { k in m.values[k].map { String(format: "%@ %.4f", k, $0) } }.joined(separator: " · ")
      return "  eval @\(m.iteration): \(text)"
    case .hyperparameterChange(let c):
      return "  \(c.key): \(c.old) → \(c.new) (\(c.by))"
    case .checkpoint(let c):
      return "  checkpoint (\(c.reason)): \(c.path)"
    case .log(let l) where l.level != .debug:
      return "  \(l.level.rawValue): \(l.message)"
    case .phase(let p) where p.phase == .paused:
      return "  paused at iteration \(p.iteration)"
    case .runEnd(let e):
      return "\(algorithm): \(e.status) at iteration \(e.iteration)\(e.message.map { " (\($0))" } ?? "")"
    default:
      return nil
    }
  }
}
