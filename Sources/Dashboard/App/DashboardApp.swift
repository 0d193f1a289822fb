import Foundation
import RunProtocol

// The running dashboard. Two loops: a task drains the event stream into the store as fast as
// events come (the trainer never waits on us), and one thread owns ncurses (which is not
// thread-safe): it polls keys with a short timeout and draws at most `framesPerSecond` frames,
// and only when the state or the view changed, so an idle dashboard sends nothing over ssh.

/// The ncurses dashboard: shows a run's events and sends the user's commands back.
public final class DashboardApp: Sendable {
  public init() {}

  /// Shows `events` until the user quits (or, after a stop, until the run ends) and sends
  /// commands through `send`. Throws when the terminal cannot be used or the theme is bad.
  public func run(events: AsyncStream<RunEvent>, send: @escaping @Sendable (RunCommand) -> Void,
                  options: DashboardOptions) async throws {
    let store = StateStore()
    let drain = Task.detached {
      for await e in events { store.apply(e) }
      store.finish()
    }
    defer { drain.cancel() }
    try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, Error>) in
      let thread = Thread {
        do {
          try UILoop(store: store, send: send, options: options).run()
          done.resume()
        } catch {
          done.resume(throwing: error)
        }
      }
      thread.name = "grpotop-dashboard"
      thread.start()
    }
  }

  /// Shows a finished run (all events known up front) on the calling thread until the user
  /// quits; for `grpotop replay`. Commands are discarded.
  public static func replay(_ events: [RunEvent], options: DashboardOptions) throws {
    let store = StateStore()
    store.apply(events)
    store.finish()
    try UILoop(store: store, send: { _ in }, options: options).run()
  }
}

/// The UI thread's loop: keys, commands, frames.
final class UILoop {
  let store: StateStore
  let send: @Sendable (RunCommand) -> Void
  let options: DashboardOptions
  private var nextCommandID = 1

  init(store: StateStore, send: @escaping @Sendable (RunCommand) -> Void, options: DashboardOptions) {
    self.store = store
    self.send = send
    self.options = options
  }

  func run() throws {
    let (themes, start, warnings) = try options.resolveThemes()
    let term = try CursesTerminal(colorFlag: options.colors, environment: options.environment)
    defer { term.shutdown() }
    var view = ViewState(colorMode: term.color.mode, themes: themes, readOnly: options.readOnly)
    view.colorReason = term.color.reason
    view.source = options.source
    let automatic = ThemeLibrary.automatic(for: term.color.mode).name
    view.themeIndex = start ?? themes.firstIndex { $0.name == automatic } ?? 0
    if let w = warnings.first { view.note("theme skipped: \(w)", error: true) }

    let frameInterval = 1 / max(1, options.framesPerSecond)
    var lastFrame = -Double.infinity
    var lastEvents = -1
    var dirty = true
    var frozen: DashboardState?
    var messageSince: Double?
    var lastMessage: String?
    let clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    while true {
      let (live, finished) = store.snapshot()
      let shown = frozen ?? live
      // Keys: wait briefly for the first, then take whatever else is queued.
      var key = term.readKey(timeoutMs: 30)
      while let k = key {
        dirty = true
        if k != .resize {
          let wasFrozen = view.frozen
          let outcome = KeyHandler.handle(k, view: &view, state: shown)
          for action in outcome.commands { issue(action) }
          if outcome.quit { return }
          if view.frozen != wasFrozen { frozen = view.frozen ? live : nil }
        }
        key = term.readKey(timeoutMs: 0)
      }
      // After a confirmed stop, leave once the run has said it ended (or went away).
      if view.stopping && (live.status.ended != nil || finished) { return }
      let now = clock()
      if view.message != lastMessage {
        lastMessage = view.message
        messageSince = view.message == nil ? nil : now
      } else if let since = messageSince, now - since > 4, view.edit == nil {
        view.message = nil
        lastMessage = nil
        messageSince = nil
        dirty = true
      }
      if live.eventCount != lastEvents && frozen == nil { dirty = true }
      guard dirty, now - lastFrame >= frameInterval else { continue }
      lastEvents = live.eventCount
      KeyHandler.reconcile(view: &view, state: live)
      term.present(render(frozen ?? live, view, size: term.size))
      lastFrame = now
      dirty = false
    }
  }

  private func issue(_ action: CommandAction) {
    send(RunCommand(id: nextCommandID, by: "dashboard", action: action))
    nextCommandID += 1
  }
}
