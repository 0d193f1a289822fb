import RunProtocol

// Everything the dashboard knows about a run, folded from RunEvents and nothing else. It is a
// value: the UI takes a copy to render (or keeps one while the view is frozen) while the event
// stream goes on folding into the live one.

/// A metric's points: x is the iteration (several optimizer steps may share one).
public struct MetricSeries: Equatable, Sendable {
  public var xs: [Double] = []
  public var ys: [Double] = []
  public init(xs: [Double] = [], ys: [Double] = []) {
    self.xs = xs
    self.ys = ys
  }
  public var count: Int { xs.count }
  public var last: Double? { ys.last }
}

/// A vertical line across every chart.
public struct Marker: Equatable, Sendable {
  /// What put it there; each kind has its own colour.
  public enum Kind: Equatable, Sendable { case discriminator, hyperparameter }
  public var iteration: Int
  public var kind: Kind
  public var label: String
}

/// A line of the log panel with the iteration it belongs to.
public struct LogEntry: Equatable, Sendable {
  public var iteration: Int
  public var level: LogLine.Level
  public var message: String
}

/// Where the run is: iteration, phase, paused, finished, and its pace.
public struct RunStatus: Equatable, Sendable {
  public var iteration = 0
  public var phase: Phase = .idle
  public var stage: String?
  public var paused = false
  public var ended: RunEnd?
  /// Seconds per iteration over the last iterations, not counting paused time.
  public var secondsPerIteration: Double?
}

/// The dashboard's store: a reducer over RunEvents.
public struct DashboardState: Sendable {
  /// At most this many sample groups are kept for scrubbing (each is ~75 KB of thumbnails).
  public static let sampleHistoryLimit = 400
  /// At most this many log lines are kept.
  public static let logLimit = 5000

  public var run: RunStart?
  public var series: [String: MetricSeries] = [:]
  public var histograms: [String: [Histogram]] = [:]
  public var sampleGroups: [SampleGroup] = []
  /// Sample groups dropped from the front of the history because of the limit.
  public var droppedSampleGroups = 0
  public var discriminatorUpdates: [DiscriminatorUpdate] = []
  public var hyperparameters: [HyperparameterSpec] = []
  /// The current value of every hyperparameter (the schema's, then every change).
  public var values: [String: JSONValue] = [:]
  public var changes: [HyperparameterChange] = []
  public var evaluations: [Metrics] = []
  public var log: [LogEntry] = []
  public var markers: [Marker] = []
  public var checkpoints: [CheckpointSaved] = []
  public var status = RunStatus()
  /// Events folded so far; the UI redraws when it changes.
  public private(set) var eventCount = 0

  // Pace bookkeeping: (iteration, active seconds) when each iteration was first seen.
  private var clock: [(Int, Double)] = []
  private var pausedTotal = 0.0
  private var pausedSince: Double?

  public init() {}

  /// Folds a sequence of events.
  public mutating func apply<S: Sequence>(_ events: S) where S.Element == RunEvent {
    for e in events { apply(e) }
  }

  /// Folds one event.
  public mutating func apply(_ event: RunEvent) {
    eventCount += 1
    let t = event.time
    switch event.payload {
    case .runStart(let s):
      run = s
      hyperparameters = s.hyperparameters
      for h in s.hyperparameters { values[h.key] = h.value }
      status.iteration = max(status.iteration, s.startIteration)
      status.ended = nil
      note(s.startIteration, t)
      addLog(s.startIteration, .info, "run \(s.runID) started: \(s.algorithm), \(s.totalIterations) iterations")
    case .phase(let p):
      status.phase = p.phase
      if let st = p.stage { status.stage = st }
      setPaused(p.phase == .paused, at: t)
      note(p.iteration, t)
    case .stepMetrics(let m), .iterationMetrics(let m):
      let x = Double(m.iteration)
      for (name, v) in m.values {
        series[name, default: MetricSeries()].xs.append(x)
        series[name, default: MetricSeries()].ys.append(v)
      }
      note(m.iteration, t)
    case .histogram(let h):
      var list = histograms[h.name, default: []]
      if list.last?.iteration == h.iteration { list[list.count - 1] = h } else { list.append(h) }
      histograms[h.name] = list
    case .samples(let g):
      sampleGroups.append(g)
      if sampleGroups.count > Self.sampleHistoryLimit {
        sampleGroups.removeFirst(sampleGroups.count - Self.sampleHistoryLimit)
        droppedSampleGroups += 1
      }
      note(g.iteration, t)
    case .discriminatorUpdate(let d):
      discriminatorUpdates.append(d)
      markers.append(Marker(iteration: d.iteration, kind: .discriminator, label: d.reason))
      addLog(d.iteration, .info, "D update (\(d.reason)): r_gen \(Format.compact(d.rewardGenerated)) vs r_ref \(Format.compact(d.rewardReference)), loss \(Format.compact(d.lossBefore))→\(Format.compact(d.lossAfter)), acc \(Format.compact(d.accuracyBefore))→\(Format.compact(d.accuracyAfter))")
    case .evaluation(let m):
      evaluations.append(m)
    case .hyperparameterChange(let c):
      values[c.key] = c.new
      changes.append(c)
      markers.append(Marker(iteration: c.iteration, kind: .hyperparameter, label: c.key))
      addLog(c.iteration, .info, "\(c.key): \(c.old) → \(c.new) (by \(c.by))")
    case .checkpoint(let c):
      checkpoints.append(c)
      addLog(c.iteration, .info, "checkpoint (\(c.reason)): \(c.path)")
    case .log(let l):
      addLog(status.iteration, l.level, l.message)
    case .runEnd(let e):
      status.ended = e
      status.phase = .finished
      setPaused(false, at: t)
      addLog(e.iteration, e.status == "failed" ? .error : .info, "run \(e.status)" + (e.message.map { ": \($0)" } ?? ""))
    }
  }

  private mutating func addLog(_ iteration: Int, _ level: LogLine.Level, _ message: String) {
    log.append(LogEntry(iteration: iteration, level: level, message: message))
    if log.count > Self.logLimit { log.removeFirst(log.count - Self.logLimit) }
  }

  private mutating func setPaused(_ paused: Bool, at t: Double) {
    if paused, pausedSince == nil { pausedSince = t }
    if !paused, let since = pausedSince {
      pausedTotal += max(0, t - since)
      pausedSince = nil
    }
    status.paused = paused
  }

  /// Records the first time an iteration shows up, on the pause-free clock, and updates s/it
  /// from the last ten iterations.
  private mutating func note(_ iteration: Int, _ t: Double) {
    guard iteration > status.iteration || clock.isEmpty else { return }
    status.iteration = max(status.iteration, iteration)
    let active = t - pausedTotal - (pausedSince.map { t - $0 } ?? 0)
    clock.append((iteration, active))
    if clock.count > 11 { clock.removeFirst(clock.count - 11) }
    if let a = clock.first, let b = clock.last, b.0 > a.0, b.1 > a.1 {
      status.secondsPerIteration = (b.1 - a.1) / Double(b.0 - a.0)
    }
  }

  // MARK: Queries the panels share.

  /// The series of the first name in `names` that has points.
  public func series(anyOf names: [String]) -> (name: String, series: MetricSeries)? {
    for n in names { if let s = series[n], s.count > 0 { return (n, s) } }
    return nil
  }

  /// Seconds to the last iteration at the current pace, when both are known.
  public var etaSeconds: Double? {
    guard let run, let spi = status.secondsPerIteration, status.ended == nil else { return nil }
    return Double(max(0, run.totalIterations - status.iteration)) * spi
  }

  /// The x range charts show when not zoomed: the run's start to its planned end (so a new
  /// point does not rescale the axis and redraw every cell), or to the last point if later.
  public var iterationDomain: ClosedRange<Double> {
    let start = Double(run?.startIteration ?? 0)
    let end = Double(max(run?.totalIterations ?? 0, status.iteration, 1))
    return start...max(end, start + 1)
  }

  /// The advantages histograms, whatever the trainer named them.
  public var advantageHistograms: [Histogram] {
    for n in MetricNames.advantages { if let h = histograms[n], !h.isEmpty { return h } }
    return histograms.keys.sorted().first.flatMap { histograms[$0] } ?? []
  }

  /// The hyperparameter schema entry for `key`.
  public func spec(_ key: String) -> HyperparameterSpec? { hyperparameters.first { $0.key == key } }
}
