import Foundation

// The metric names the panels look for, in one place. ALGORITHMS.md §2 fixes most of them
// (`kl`, `approx_kl`, `clipfrac`, `reward/<name>/mean`); for Adv-GRPO the generated and
// reference rewards and the discriminator's loss and accuracy accept a few spellings, so an
// external trainer (the Python client) is shown without renaming its metrics.

/// Names of the metrics the panels plot.
public enum MetricNames {
  /// Mean discriminator reward of the generated group (r_gen), first match wins.
  public static let generated = ["r_gen", "reward/r_gen/mean", "reward/discriminator/mean", "reward/generated/mean"]
  /// Mean discriminator reward of the prompt's references (r_ref).
  public static let reference = ["r_ref", "reward/r_ref/mean", "reward/reference/mean", "reward/discriminator/reference_mean"]
  /// The discriminator's hinge loss when it is logged as a metric.
  public static let discriminatorLoss = ["d_loss", "discriminator/loss"]
  /// The discriminator's accuracy when it is logged as a metric.
  public static let discriminatorAccuracy = ["d_accuracy", "discriminator/accuracy", "d_acc"]
  /// The KL panel's series, in drawing order.
  public static let klFamily = ["kl", "approx_kl", "clipfrac"]
  /// The histogram the advantages panel shows.
  public static let advantages = ["advantages", "advantage", "adv"]

  /// True for `reward/<name>/mean` (every reward's mean, the non-adversarial reward panel).
  public static func isRewardMean(_ name: String) -> Bool {
    name.hasPrefix("reward/") && name.hasSuffix("/mean") && name.split(separator: "/").count == 3
  }

  /// The short label of a series: "reward/aesthetic/mean" → "aesthetic".
  public static func label(_ name: String) -> String {
    if isRewardMean(name) {
      let middle = name.split(separator: "/")[1]
      return middle == "discriminator" || middle == "generated" || middle == "r_gen" ? "r_gen"
        : middle == "reference" || middle == "r_ref" ? "r_ref" : String(middle)
    }
    return name
  }
}

/// Numbers in the few widths a terminal panel has room for.
public enum Format {
  /// Three significant digits, exponent form for very small or large values: 0.712, 12.3,
  /// 3e-4, 1.2e5; "–" for NaN.
  public static func compact(_ v: Double, digits: Int = 3) -> String {
    if v.isNaN { return "–" }
    if v.isInfinite { return v > 0 ? "∞" : "-∞" }
    if v == 0 { return "0" }
    let a = abs(v)
    if a < 1e-12 { return "0" }
    if a >= 1e-3 && a < 1e5 {
      // Significant digits: 0.003 keeps its 3, 12.3 keeps one decimal, 12345 none.
      let decimals = max(0, digits - 1 - Int(log10(a).rounded(.down)))
      var s = String(format: "%.\(decimals)f", v)
      if s.contains(".") {
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
      }
      return s
    }
    var s = String(format: "%.\(max(0, digits - 1))e", v)
    // "3.00e-04" → "3e-4": trailing zeros of the mantissa and of the exponent go.
    guard let e = s.firstIndex(of: "e") else { return s }
    var mant = String(s[..<e]), exp = String(s[s.index(after: e)...])
    if mant.contains(".") {
      while mant.hasSuffix("0") { mant.removeLast() }
      if mant.hasSuffix(".") { mant.removeLast() }
    }
    let sign = exp.hasPrefix("-") ? "-" : ""
    exp = String(exp.drop(while: { $0 == "+" || $0 == "-" }).drop(while: { $0 == "0" }))
    s = mant + "e" + sign + (exp.isEmpty ? "0" : exp)
    return s
  }

  /// A signed compact number: "+0.12", "-1.3".
  public static func signed(_ v: Double, digits: Int = 2) -> String {
    (v > 0 ? "+" : "") + compact(v, digits: digits)
  }

  /// Short text for a reward under a thumbnail: at most `width` characters ("0.71" → ".71").
  public static func tiny(_ v: Double, width: Int, signed: Bool = false) -> String {
    for digits in [2, 1] {
      var s = signed ? Format.signed(v, digits: digits) : compact(v, digits: digits)
      if s.count > width { s = s.replacingOccurrences(of: "0.", with: ".") }
      if s.count <= width { return s }
    }
    return String((signed ? Format.signed(v, digits: 1) : compact(v, digits: 1)).prefix(width))
  }

  /// Durations as 45s, 27m, 3h12m, 2d4h.
  public static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "–" }
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m" }
    if s < 86400 { return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" }
    return "\(s / 86400)d\(s % 86400 / 3600)h"
  }
}
