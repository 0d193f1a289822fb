import RunProtocol

// The inline editor of the hyperparameters panel. Which keys exist, their types, ranges and
// nudge rules all come from the run's schema (HyperparameterSpec); the refusal reasons are the
// schema's own, so the dashboard and the trainer can never disagree about what is valid.

/// Starting, nudging, typing into and applying a hyperparameter edit.
public enum HyperparameterEditor {
  /// Starts editing the selected hyperparameter, or explains why it cannot be.
  public static func begin(view: inout ViewState, state: DashboardState) {
    guard !state.hyperparameters.isEmpty else {
      view.note("no hyperparameters: the run has not sent its schema yet", error: true)
      return
    }
    let i = min(max(0, view.selectedHyperparameter), state.hyperparameters.count - 1)
    let spec = state.hyperparameters[i]
    guard spec.live else {
      view.note("\(spec.key) cannot change while the run goes on", error: true)
      return
    }
    let current = view.pending[spec.key] ?? state.values[spec.key] ?? spec.value
    view.edit = HyperparameterEdit(key: spec.key, text: current.description, error: nil, fresh: true)
  }

  /// Handles a key while editing; returns the commands to send (a `set` on a valid Enter).
  public static func handle(_ key: Key, view: inout ViewState, state: DashboardState) -> [CommandAction] {
    guard var edit = view.edit, let spec = state.spec(edit.key) else {
      view.edit = nil
      return []
    }
    switch key {
    case .escape:
      view.edit = nil
      view.note("edit cancelled")
      return []
    case .enter:
      guard let value = spec.parse(edit.text) else {
        edit.error = spec.type == .choice ? spec.refusal(for: .string(edit.text)) : "\(spec.key) needs \(expected(spec)), got '\(edit.text)'"
        view.edit = edit
        return []
      }
      if let why = spec.refusal(for: value) {
        edit.error = why
        view.edit = edit
        return []
      }
      let old = state.values[spec.key] ?? spec.value
      view.edit = nil
      view.pending[spec.key] = value
      view.note("\(spec.key) \(old) → \(value) sent; applied at the next phase boundary")
      return [.set(key: spec.key, value: value)]
    case .left, .right:
      let current = spec.parse(edit.text) ?? state.values[spec.key] ?? spec.value
      let next = nudge(spec, current, up: key == .right)
      edit.text = next.description
      edit.error = spec.refusal(for: next)
      edit.fresh = false
    case .backspace:
      if edit.fresh { edit.text = "" } else if !edit.text.isEmpty { edit.text.removeLast() }
      edit.fresh = false
      edit.error = nil
    case .char(let c):
      if edit.fresh { edit.text = "" }
      edit.fresh = false
      if !c.isNewline, edit.text.count < 40 { edit.text.append(c) }
      edit.error = nil
    default:
      return []
    }
    view.edit = edit
    return []
  }

  /// The value one nudge away: ×/÷ 2 for "mul2", ±1 for "add1", the next choice, the other
  /// boolean. Without a nudge rule, floats double and integers step by one.
  public static func nudge(_ spec: HyperparameterSpec, _ value: JSONValue, up: Bool) -> JSONValue {
    switch spec.type {
    case .bool:
      if case .bool(let b) = value { return .bool(!b) }
      return .bool(true)
    case .choice:
      let choices = spec.choices ?? []
      guard !choices.isEmpty else { return value }
      let i = choices.firstIndex(of: value.description) ?? 0
      return .string(choices[(i + (up ? 1 : choices.count - 1)) % choices.count])
    case .float, .int:
      let d = value.double ?? 0
      let rule = spec.nudge ?? (spec.type == .int ? "add1" : "mul2")
      if rule == "add1" { return .number(d + (up ? 1 : -1)) }
      if d == 0 { return .number(up ? (spec.min.map { Swift.max($0, 1e-6) } ?? 1e-6) : 0) }
      return .number(up ? d * 2 : d / 2)
    }
  }

  /// "a number", "a whole number", "true or false", "one of a, b".
  static func expected(_ spec: HyperparameterSpec) -> String {
    switch spec.type {
    case .float: return "a number"
    case .int: return "a whole number"
    case .bool: return "true or false"
    case .choice: return "one of \((spec.choices ?? []).joined(separator: ", "))"
    }
  }

  /// The range or choices of a hyperparameter as shown in the panel: "[1e-6, 0.01]".
  public static func rangeText(_ spec: HyperparameterSpec) -> String {
    switch spec.type {
    case .choice: return (spec.choices ?? []).joined(separator: "|")
    case .bool: return "true|false"
    case .float, .int:
      let lo = spec.min.map { Format.compact($0) } ?? "−∞"
      let hi = spec.max.map { Format.compact($0) } ?? "∞"
      return "[\(lo), \(hi)]"
    }
  }

  /// How the nudge keys move it: "×/÷2", "±1", "cycle".
  public static func nudgeText(_ spec: HyperparameterSpec) -> String {
    switch spec.type {
    case .bool, .choice: return "←→ cycle"
    case .float, .int: return (spec.nudge ?? (spec.type == .int ? "add1" : "mul2")) == "add1" ? "←→ ±1" : "←→ ×/÷2"
    }
  }
}
