/// The version of the RunEvent/RunCommand JSON-lines schema that this build writes.
///
/// Readers skip events whose version is newer than the one they know, with a warning, so an
/// old dashboard never crashes on a new trainer's file.
public enum RunSchema {
  /// Bumped whenever an event or command changes shape incompatibly.
  public static let version = 1
}
