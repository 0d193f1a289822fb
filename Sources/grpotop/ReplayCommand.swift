import ArgumentParser
import Dashboard
import Foundation
import RunProtocol

/// `grpotop replay RUN|events.jsonl`: a recorded run's whole history on the dashboard,
/// read-only (every sample group can be scrubbed with [ and ]); `--speed` plays it back at
/// its recorded pace, sped up, through the same live path a training run uses.
struct ReplayCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay", abstract: "Show a recorded run (a run directory or its events.jsonl) on the dashboard, read-only.")

  @Argument(help: "A run directory, or an events.jsonl file.") var path: String
  @OptionGroup var display: DisplayOptions
  @Option(help: "Play the recording at its own pace, this many times faster (default: show it all at once).") var speed: Double?

  func run() async throws {
    let run = try RecordedRun(path: path)
    // `s` writes its snapshots into the replayed run's own directory.
    let options = DashboardOptions(readOnly: "replay of a recorded run", colors: display.colorMode, theme: display.theme,
                                   themeDirectories: display.themeDirectories, source: "replay",
                                   runDirectory: run.directory)
    try await DashboardApp().run(events: DashboardApp.stream(run.events, speed: speed), send: { _ in }, options: options)
  }
}
