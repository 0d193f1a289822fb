import Foundation

/// A one-line progress report on stderr: step, loss, rate and ETA.
///
/// On a terminal the line redraws in place (at most 4 times a second); otherwise (CI, nohup,
/// a pipe) it prints a fresh line every `everyPercent` percent so logs stay short.
public struct ProgressLine {
  public let label: String
  public let total: Int
  let unit: String
  let isTerminal: Bool
  let everyPercent: Int
  let start = Date()
  var lastDraw = Date.distantPast
  var lastBucket = -1  // percent / everyPercent of the last line printed

  public init(label: String, total: Int, unit: String = "img", everyPercent: Int = 5) {
    self.label = label
    self.total = total
    self.unit = unit
    self.everyPercent = max(1, everyPercent)
    isTerminal = isatty(STDERR_FILENO) != 0
  }

  /// Seconds since the line was created.
  public var elapsed: Double { Date().timeIntervalSince(start) }

  /// Reports `done` of `total` steps; `items` is the work done so far (images) for the rate.
  public mutating func update(_ done: Int, items: Int, fields: [(String, String)]) {
    let now = Date()
    let percent = total > 0 ? done * 100 / total : 100
    let finished = done >= total
    if isTerminal {
      guard finished || now.timeIntervalSince(lastDraw) >= 0.25 else { return }
    } else {
      guard finished || percent / everyPercent != lastBucket else { return }
    }
    lastDraw = now
    lastBucket = percent / everyPercent
    let secs = max(elapsed, 1e-9)
    let rate = Double(items) / secs
    let eta = done > 0 ? secs * Double(total - done) / Double(done) : 0
    var parts = ["\(label) \(done)/\(total)"]
    parts += fields.map { "\($0.0) \($0.1)" }
    parts.append(String(format: "%.1f %@/s", rate, unit))
    parts.append(finished ? "done in \(ProgressLine.duration(secs))" : "ETA \(ProgressLine.duration(eta))")
    let line = parts.joined(separator: " · ")
    FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + line + (isTerminal && !finished ? "" : "\n")).utf8))
  }

  /// "1h02m", "12m03s" or "41s".
  public static func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
    if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return "\(s)s"
  }
}
