import Foundation

/// A serial executor backed by one dedicated thread, so an actor's long synchronous work
/// (a whole training run) never occupies Swift's cooperative pool, which on two cores is
/// two threads: the dashboard and the I/O keep one free.
final class ThreadExecutor: SerialExecutor, @unchecked Sendable {
  private let condition = NSCondition()
  private var jobs: [UnownedJob] = []

  init(name: String) {
    let thread = Thread { [unowned self] in self.loop() }
    thread.name = name
    thread.stackSize = 16 << 20  // deep model code, generous stack
    thread.start()
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let unowned = UnownedJob(job)
    condition.lock()
    jobs.append(unowned)
    condition.signal()
    condition.unlock()
  }

  func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

  private func loop() {
    while true {
      condition.lock()
      while jobs.isEmpty { condition.wait() }
      let job = jobs.removeFirst()
      condition.unlock()
      job.runSynchronously(on: asUnownedSerialExecutor())
    }
  }
}

/// Commands and log notes waiting for the training thread's next phase boundary; any thread may post.
public final class CommandMailbox: @unchecked Sendable {
  private let condition = NSCondition()
  private var queue: [Mail] = []

  public init() {}

  /// Adds a command or note; wakes a paused run.
  func post(_ mail: Mail) {
    condition.lock()
    queue.append(mail)
    condition.signal()
    condition.unlock()
  }

  /// Everything posted so far, oldest first.
  func drain() -> [Mail] {
    condition.lock()
    defer { condition.unlock() }
    let out = queue
    queue.removeAll()
    return out
  }

  /// Blocks until something arrives (a paused run waits here).
  func wait() -> Mail {
    condition.lock()
    defer { condition.unlock() }
    while queue.isEmpty { condition.wait() }
    return queue.removeFirst()
  }
}

import RunProtocol

/// What travels to the training thread: a command, or a line for the run's log from
/// outside the loop (the control socket's refusals).
enum Mail: Sendable {
  case command(RunCommand)
  case note(LogLine)
}
