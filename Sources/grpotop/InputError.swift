import ArgumentParser

/// A problem with what the user handed in (a file, a key, a value, a checkpoint), printed as
/// one `Error: …` line.
///
/// ArgumentParser follows a `ValidationError` with the usage text, which is about flags and
/// only buries the line that names the file or key; any other error it prints alone.
struct InputError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
  init(_ error: any Error) { self.description = String(describing: error) }
}
