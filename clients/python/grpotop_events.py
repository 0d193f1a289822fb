"""Report a Python (e.g. PyTorch Flow-GRPO) training run to grpotop, and take its commands.

This is one file with no dependencies beyond the Python standard library (3.9+), so a trainer can
vendor it next to its own code. It does two things:

1. It writes ``events.jsonl`` exactly as grpotop's own trainer does: one JSON object per line,
   ``{"v":1,"seq":N,"time":unix_seconds,"type":"...","data":{...}}``, keys sorted, flushed after
   every event, so ``grpotop attach --follow events.jsonl`` shows the run live and
   ``grpotop replay`` shows it afterwards. The payloads mirror Sources/RunProtocol/Events.swift.
2. It owns a Unix-domain control socket that ``grpotop attach --control SOCKET`` connects to.
   The training loop calls :meth:`Run.poll` (never blocks) or :meth:`Run.wait_if_paused` to
   receive pause / resume / step / set / save_checkpoint / snapshot / stop commands
   (Sources/RunProtocol/RunCommand.swift); every command gets a one-line JSON reply.

Typical use::

    import grpotop_events as ge
    with ge.Run("runs/x/events.jsonl", control="runs/x/control.sock", algorithm="flow-grpo",
                hyperparameters=[ge.Hyperparameter("grpo.lr", "float", 3e-4, min=1e-7, max=0.1,
                                                   live=True, nudge="mul2", help="learning rate")],
                total_iterations=300, group_size=16, prompts_per_iteration=2,
                rewards=["judge"]) as run:
        for i in range(300):
            run.wait_if_paused(i)
            if run.stop_requested:
                break
            run.phase(i, "sampling")
            ...
"""

import base64
import dataclasses
import json
import math
import numbers
import os
import selectors
import socket
import stat
import struct
import threading
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

__all__ = [
    "SCHEMA_VERSION", "PHASES", "MAX_COMMAND_BYTES", "Hyperparameter", "Command", "Thumbnail",
    "thumbnail", "ControlServer", "ControlSocketError", "Run",
]

#: The RunEvent/RunCommand schema version this module writes and accepts (RunSchema.version).
SCHEMA_VERSION = 1

#: The phase names of Sources/RunProtocol/Events.swift (`Phase`).
PHASES = ("sampling", "scoring", "discriminator", "update", "evaluation", "checkpoint", "sft",
          "paused", "idle", "finished")

#: The longest command line the control socket reads; longer lines are refused.
MAX_COMMAND_BYTES = 65536

ACTIONS = ("pause", "resume", "step", "set", "save_checkpoint", "snapshot", "stop")
LOG_LEVELS = ("debug", "info", "warning", "error")
HYPERPARAMETER_TYPES = ("float", "int", "bool", "choice")
NUDGES = (None, "mul2", "add1")

# Thumbnails are shrunk to this many pixels on their longer side so events stay small.
THUMBNAIL_MAX_SIZE = 64
# How long wait_if_paused waits for a command before looking again.
PAUSE_POLL_SECONDS = 0.05
# A client that does not read its replies is dropped once this much is queued for it.
MAX_PENDING_REPLY_BYTES = 1 << 20
# recv() calls per client and poll, so a client that floods the socket cannot stall training.
MAX_READS_PER_POLL = 64


def _compact_json(value: Any) -> str:
    """One line of JSON the way grpotop writes it: sorted keys, no spaces, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def _describe(value: Any) -> str:
    """Text of a JSON value like Swift's `JSONValue.description` (3.0 -> "3", True -> "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isfinite(number) and number == round(number) and abs(number) < 1e15:
            return str(int(number))
        return repr(number)
    return str(value)


def _is_number(value: Any) -> bool:
    """True for JSON numbers (and numeric scalars); booleans are not numbers in JSON."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _json_value(value: Any) -> Any:
    """Converts a config-like Python value to plain JSON (Swift's open `JSONValue`).

    Tensors and arrays become lists, non-finite floats become null (JSON has no NaN), and
    anything else unknown becomes its str().
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_value(v) for v in value]
    if hasattr(value, "tolist"):
        return _json_value(value.tolist())
    return str(value)


def _plain(value: Any) -> Any:
    """A tensor or array as nested Python lists/scalars (detached and on the CPU first)."""
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "cpu"):
        value = value.cpu()
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "numpy"):
        return value.numpy().tolist()
    return value


def _flatten(value: Any) -> List[Any]:
    """All scalars of a (possibly nested, possibly tensor) sequence, in order."""
    value = _plain(value)
    if isinstance(value, (list, tuple)):
        out: List[Any] = []
        for item in value:
            out.extend(_flatten(item))
        return out
    return [value]


# MARK: Hyperparameters


@dataclasses.dataclass
class Hyperparameter:
    """One entry of the run's hyperparameter schema (Swift's `HyperparameterSpec`).

    The dashboard reads the schema from run_start and never hard-codes keys: ``live`` says
    whether a ``set`` may change it during the run, ``min``/``max`` bound numbers, ``choices``
    lists the values of a ``choice``, and ``nudge`` ("mul2" or "add1") is how the dashboard's
    nudge keys move it.
    """

    key: str
    type: str
    value: Any
    min: Optional[float] = None
    max: Optional[float] = None
    choices: Optional[Sequence[str]] = None
    live: bool = False
    nudge: Optional[str] = None
    help: str = ""

    def __post_init__(self) -> None:
        if self.type not in HYPERPARAMETER_TYPES:
            raise ValueError(f"{self.key}: type must be one of {', '.join(HYPERPARAMETER_TYPES)}")
        if self.nudge not in NUDGES:
            raise ValueError(f"{self.key}: nudge must be 'mul2', 'add1' or None")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"{self.key}: a choice needs choices")
        if self.choices is not None:
            self.choices = [str(c) for c in self.choices]
        self.value = self.normalize(self.value)

    def normalize(self, value: Any) -> Any:
        """The value as this type stores it: float, int, bool or str."""
        if self.type == "float":
            return float(value)
        if self.type == "int":
            return int(value)
        if self.type == "bool":
            return bool(value)
        return str(value)

    def refusal(self, proposed: Any) -> Optional[str]:
        """None when ``proposed`` may be set, else the reason in a few words.

        The same rules and wording as Swift's ``HyperparameterSpec.refusal(for:)``.
        """
        if not self.live:
            return f"{self.key} cannot change while the run goes on"
        if self.type in ("float", "int"):
            if not _is_number(proposed) or not math.isfinite(float(proposed)):
                return f"{self.key} needs a number"
            number = float(proposed)
            if self.type == "int" and number != round(number):
                return f"{self.key} needs a whole number"
            if self.min is not None and number < self.min:
                return f"{self.key} must be ≥ {_describe(self.min)}, got {_describe(proposed)}"
            if self.max is not None and number > self.max:
                return f"{self.key} must be ≤ {_describe(self.max)}, got {_describe(proposed)}"
        elif self.type == "bool":
            if not isinstance(proposed, bool):
                return f"{self.key} needs true or false"
        elif not isinstance(proposed, str) or proposed not in (self.choices or []):
            return f"{self.key} must be one of {', '.join(self.choices or [])}"
        return None

    def to_json(self, value: Any) -> Dict[str, Any]:
        """The spec as run_start carries it, with ``value`` as the current value."""
        out: Dict[str, Any] = {"key": self.key, "type": self.type, "value": _json_value(value),
                               "live": bool(self.live), "help": self.help}
        for name in ("min", "max"):
            if getattr(self, name) is not None:
                out[name] = float(getattr(self, name))
        if self.choices is not None:
            out["choices"] = list(self.choices)
        if self.nudge is not None:
            out["nudge"] = self.nudge
        return out


# MARK: Thumbnails


@dataclasses.dataclass(frozen=True)
class Thumbnail:
    """A small 8-bit RGB image: ``rgb`` holds height × width × 3 bytes, row by row."""

    width: int
    height: int
    rgb: bytes

    def to_json(self) -> Dict[str, Any]:
        """The event form: width, height and the bytes in base64."""
        return {"width": self.width, "height": self.height,
                "rgb": base64.b64encode(self.rgb).decode("ascii")}


def _nearest(source: int, target: int) -> List[int]:
    """Source indices of a nearest-neighbour resize from ``source`` to ``target`` samples."""
    return [min(source - 1, int((i + 0.5) * source / target)) for i in range(target)]


def _fitted(width: int, height: int, max_size: int) -> Tuple[int, int]:
    """The size that fits in max_size × max_size with the same aspect ratio."""
    longest = max(width, height)
    if longest <= max_size:
        return width, height
    scale = max_size / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def _shrink_bytes(width: int, height: int, rgb: bytes, max_size: int) -> Thumbnail:
    """Nearest-neighbour downscale of interleaved RGB bytes to at most max_size a side."""
    new_width, new_height = _fitted(width, height, max_size)
    if (new_width, new_height) == (width, height):
        return Thumbnail(width, height, bytes(rgb))
    cols = _nearest(width, new_width)
    out = bytearray()
    for row in _nearest(height, new_height):
        for col in cols:
            start = (row * width + col) * 3
            out += rgb[start:start + 3]
    return Thumbnail(new_width, new_height, bytes(out))


def _layout(shape: Tuple[int, ...]) -> Tuple[bool, int, int, int]:
    """(channel_first, height, width, channels) of an image shape, batch dim of 1 allowed."""
    if len(shape) == 4 and shape[0] == 1:
        shape = shape[1:]
    if len(shape) == 2:
        return False, shape[0], shape[1], 1
    if len(shape) == 3:
        # [3][H][W] when the first dim looks like channels and the last does not.
        if shape[0] in (1, 3, 4) and shape[2] not in (1, 3, 4):
            return True, shape[1], shape[2], shape[0]
        if shape[2] in (1, 3, 4):
            return False, shape[0], shape[1], shape[2]
    raise ValueError(f"expected an image shaped [H][W][3] or [3][H][W], got shape {list(shape)}")


def _nested_shape(value: Any) -> Tuple[int, ...]:
    """The shape of nested lists, read along their first elements."""
    shape = []
    while isinstance(value, (list, tuple)):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)


def _byte_scale(values: List[Any], value_range: str) -> Callable[[float], float]:
    """The map from pixel values to 0..255 for ``value_range`` ("auto" looks at the values)."""
    if value_range == "auto":
        if all(isinstance(v, numbers.Integral) for v in values):
            value_range = "0..255"
        elif any(v < 0 for v in values):
            value_range = "-1..1"
        elif any(v > 1.5 for v in values):
            # Float images in 0..255 exist (e.g. after a decode); [0,1] ones never get near 1.5.
            value_range = "0..255"
        else:
            value_range = "0..1"
    scales = {"0..1": lambda v: v * 255.0, "-1..1": lambda v: (v + 1.0) * 127.5,
              "0..255": lambda v: float(v)}
    if value_range not in scales:
        raise ValueError("value_range must be 'auto', '0..1', '-1..1' or '0..255'")
    return scales[value_range]


def thumbnail(image: Any, value_range: str = "auto", max_size: int = THUMBNAIL_MAX_SIZE) -> Thumbnail:
    """Converts an image to a small :class:`Thumbnail` (nearest downscale to ≤ max_size a side).

    ``image`` may be:

    * a :class:`Thumbnail`, or a ``(width, height, bytes)`` tuple of interleaved RGB bytes;
    * a PIL image;
    * a torch tensor (anything with ``.detach()``/``.cpu()``) or numpy array (``.tolist()``),
      or nested lists, shaped [H][W][C] or [C][H][W] (C = 3, or 1 for grey, 4 drops alpha),
      optionally with a leading batch dimension of 1.

    ``value_range`` is "0..1", "-1..1", "0..255" or "auto": integers are 0..255, floats are
    [-1, 1] if any is negative, 0..255 if any exceeds 1.5, else [0, 1]. Values are clamped.
    """
    if isinstance(image, Thumbnail):
        return _shrink_bytes(image.width, image.height, image.rgb, max_size)
    if (isinstance(image, tuple) and len(image) == 3
            and isinstance(image[2], (bytes, bytearray, memoryview))):
        width, height, rgb = int(image[0]), int(image[1]), bytes(image[2])
        if len(rgb) != width * height * 3:
            raise ValueError(f"{width}×{height} RGB needs {width * height * 3} bytes, got {len(rgb)}")
        return _shrink_bytes(width, height, rgb, max_size)
    if hasattr(image, "convert") and hasattr(image, "tobytes") and hasattr(image, "size"):
        width, height = image.size
        return _shrink_bytes(width, height, image.convert("RGB").tobytes(), max_size)

    if hasattr(image, "detach"):
        image = image.detach()
    if hasattr(image, "shape"):
        shape = tuple(int(d) for d in image.shape)
        channel_first, height, width, _ = _layout(shape)
        if len(shape) == 4:
            image = image[0]
        # Stride over a big tensor before copying it into Python lists, which are slow; one
        # step for both axes keeps the aspect ratio.
        step = max(1, max(height, width) // max_size)
        if step > 1:
            image = image[:, ::step, ::step] if channel_first else image[::step, ::step]
        image = _plain(image)

    shape = _nested_shape(image)
    channel_first, height, width, channels = _layout(shape)
    if len(shape) == 4:
        image = image[0]
    new_width, new_height = _fitted(width, height, max_size)
    rows, cols = _nearest(height, new_height), _nearest(width, new_width)
    if len(shape) == 2:
        pixels = [[image[r][c]] for r in rows for c in cols]
    elif channel_first:
        pixels = [[image[k][r][c] for k in range(min(channels, 3))] for r in rows for c in cols]
    else:
        pixels = [list(image[r][c][:3]) for r in rows for c in cols]
    values = [v for pixel in pixels for v in pixel]
    scale = _byte_scale(values, value_range)
    out = bytearray()
    for pixel in pixels:
        if len(pixel) == 1:
            pixel = pixel * 3
        for v in pixel:
            level = scale(v)
            out.append(0 if level != level else int(min(255.0, max(0.0, level)) + 0.5))
    return Thumbnail(new_width, new_height, bytes(out))


# MARK: Commands and the control socket


@dataclasses.dataclass(frozen=True)
class Command:
    """One command from the control socket (Swift's ``RunCommand``).

    ``action`` is one of pause, resume, step, set, save_checkpoint, snapshot, stop; ``key`` and
    ``value`` are set for ``set`` only; ``by`` is who sent it ("dashboard", ...).
    """

    action: str
    id: int = 0
    by: str = "unknown"
    key: Optional[str] = None
    value: Any = None


class CommandRefused(Exception):
    """A command line that cannot be carried out; ``reason`` is one line for the reply."""

    def __init__(self, reason: str, command_id: int = 0, by: str = "unknown") -> None:
        super().__init__(reason)
        self.reason = " ".join(reason.split())[:300]
        self.command_id = command_id
        self.by = by


def _whole(value: Any) -> bool:
    """True for a JSON number without a fraction (booleans are not numbers)."""
    return _is_number(value) and math.isfinite(float(value)) and float(value).is_integer()


def parse_command(line: bytes) -> Command:
    """Reads one command line, raising :class:`CommandRefused` with the reason when invalid.

    Mirrors ``RunCommand.init(from:)``: v, id and by are optional (1, 0, "unknown"); a newer v
    or an unknown action is refused; ``set`` needs ``key`` and ``value``.
    """
    try:
        message = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise CommandRefused("not a valid command (not UTF-8)") from None
    except ValueError as error:
        raise CommandRefused(f"not a valid command ({error})") from None
    if not isinstance(message, dict):
        raise CommandRefused("not a valid command (expected a JSON object)")
    # The reply carries the id when there is a usable one, whatever else is wrong.
    command_id = int(message["id"]) if _whole(message.get("id")) else 0
    by = message.get("by", "unknown")

    def refuse(reason: str) -> CommandRefused:
        return CommandRefused(reason, command_id, by if isinstance(by, str) else "unknown")

    for name in ("v", "id"):
        if name in message and not _whole(message[name]):
            raise refuse(f"not a valid command ({name} must be an integer)")
    version = int(message.get("v", SCHEMA_VERSION))
    if version > SCHEMA_VERSION:
        raise refuse(f"command schema v{version} is newer than v{SCHEMA_VERSION}")
    if not isinstance(by, str):
        raise refuse("not a valid command (by must be a string)")
    action = message.get("action")
    if not isinstance(action, str):
        raise refuse("not a valid command (action must be a string)")
    if action not in ACTIONS:
        raise refuse(f"unknown action '{action}' ({', '.join(ACTIONS)})")
    if action != "set":
        return Command(action, command_id, by)
    key = message.get("key")
    if not isinstance(key, str):
        raise refuse("not a valid command (set needs a string key)")
    if "value" not in message:
        raise refuse("not a valid command (set needs a value)")
    return Command(action, command_id, by, key, message["value"])


class ControlSocketError(OSError):
    """The control socket cannot be set up (unsafe directory, path in use, ...)."""


class _Client:
    """One connected control client: its socket and unfinished input and output."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.inbox = bytearray()
        self.outbox = bytearray()
        # True after an over-long line was refused, until the newline that ends it.
        self.discarding = False


class ControlServer:
    """The trainer's end of the control socket: non-blocking, any number of clients.

    ``validate(command)`` returns None or a refusal reason for a parsed command (the run checks
    ``set`` against its schema); ``warn(message)`` records a warning for every refusal.
    Peers whose uid differs from :attr:`owner_uid` are refused and disconnected.
    """

    def __init__(self, path: str, validate: Callable[[Command], Optional[str]],
                 warn: Callable[[str], None]) -> None:
        self.path = path
        self.owner_uid = os.geteuid()
        self._validate = validate
        self._warn = warn
        self._clients: Dict[int, _Client] = {}
        if len(os.fsencode(path)) > 107:
            raise ControlSocketError(f"{path}: too long for a Unix socket path (at most 107 bytes)")
        self._prepare_directory(os.path.dirname(path) or ".")
        self._remove_stale(path)
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # The socket file takes its mode from the umask at bind time: make it never wider than
        # 0600, not even between bind and chmod.
        old_umask = os.umask(0o177)
        try:
            self._listener.bind(path)
        except OSError:
            self._listener.close()
            raise
        finally:
            os.umask(old_umask)
        os.chmod(path, 0o600)
        self._absolute_path = os.path.abspath(path)
        self._inode = os.stat(path).st_ino
        self._listener.listen(16)
        self._listener.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ)

    @staticmethod
    def _prepare_directory(directory: str) -> None:
        """Creates the socket's directory 0700, or checks that an existing one is private."""
        if not os.path.exists(directory):
            os.makedirs(directory, mode=0o700)
            os.chmod(directory, 0o700)
        info = os.stat(directory)
        if info.st_uid != os.geteuid():
            raise ControlSocketError(
                f"{directory}: owned by uid {info.st_uid}, not by this user (uid {os.geteuid()}); "
                "the control socket's directory must be yours")
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise ControlSocketError(
                f"{directory}: mode {mode:04o} lets group or others in; the control socket's "
                f"directory must be private (chmod 700 {directory})")

    @staticmethod
    def _remove_stale(path: str) -> None:
        """Unlinks a socket left by a dead run; refuses a live one or a file that is no socket."""
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return
        if not stat.S_ISSOCK(info.st_mode):
            raise ControlSocketError(f"{path}: exists and is not a socket; remove it or choose "
                                     "another control path")
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        probe.settimeout(1.0)
        try:
            probe.connect(path)
        except (ConnectionRefusedError, FileNotFoundError):
            os.unlink(path)
            return
        except OSError as error:
            raise ControlSocketError(f"{path}: already in use ({error})") from None
        finally:
            probe.close()
        raise ControlSocketError(f"{path}: already in use by a running trainer")

    def peer_credentials(self, connection: socket.socket) -> Tuple[Optional[int], Optional[int]]:
        """(pid, uid) of the peer by SO_PEERCRED, or (None, None) where the OS lacks it.

        Without SO_PEERCRED (not Linux) the private 0700 directory is the only guard.
        """
        if not hasattr(socket, "SO_PEERCRED"):
            return None, None
        size = struct.calcsize("3i")
        pid, uid, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET,
                                                                socket.SO_PEERCRED, size))
        return pid, uid

    def poll(self, timeout: float = 0.0) -> List[Command]:
        """Accepts and reads what is waiting (up to ``timeout`` seconds for something to come).

        Replies to every complete line and returns the valid commands in arrival order. Bad
        input is refused with a reply and a warning, never raised.
        """
        for client in list(self._clients.values()):
            self._flush(client)
        commands: List[Command] = []
        for key, _ in self._selector.select(timeout):
            if key.fileobj is self._listener:
                self._accept()
            else:
                client = self._clients.get(key.fd)
                if client is not None:
                    commands.extend(self._read(client))
        return commands

    def close(self) -> None:
        """Disconnects every client, closes the socket and removes its file if still ours."""
        for client in list(self._clients.values()):
            self._drop(client)
        self._selector.close()
        self._listener.close()
        try:
            if os.stat(self._absolute_path).st_ino == self._inode:
                os.unlink(self._absolute_path)
        except FileNotFoundError:
            pass

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:
                # Out of descriptors, or the peer gave up: training goes on either way.
                self._warn(f"control: cannot accept a connection: {error}")
                return
            try:
                pid, uid = self.peer_credentials(connection)
            except OSError as error:
                self._warn(f"control: cannot read a peer's credentials, closed it: {error}")
                connection.close()
                continue
            if uid is not None and uid != self.owner_uid:
                reason = f"refused: peer uid {uid} is not the run's owner (uid {self.owner_uid})"
                try:
                    connection.setblocking(False)
                    connection.send(self._reply(0, reason))
                except OSError:
                    pass
                connection.close()
                self._warn(f"control: refused a connection from uid {uid} (pid {pid}): "
                           f"not the run's owner (uid {self.owner_uid})")
                continue
            connection.setblocking(False)
            client = _Client(connection)
            self._clients[connection.fileno()] = client
            self._selector.register(connection, selectors.EVENT_READ)

    def _read(self, client: _Client) -> List[Command]:
        for _ in range(MAX_READS_PER_POLL):
            try:
                data = client.connection.recv(65536)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self._drop(client)
                return []
            if not data:
                # The peer closed its end: a last line without a newline still counts.
                if client.inbox:
                    client.inbox += b"\n"
                commands = self._lines(client)
                self._drop(client)
                return commands
            client.inbox += data
        return self._lines(client)

    def _lines(self, client: _Client) -> List[Command]:
        """Takes the complete lines out of the client's input and handles each."""
        commands: List[Command] = []
        while True:
            newline = client.inbox.find(b"\n")
            if client.discarding:
                if newline < 0:
                    client.inbox.clear()
                    break
                del client.inbox[:newline + 1]
                client.discarding = False
                continue
            if newline < 0:
                if len(client.inbox) > MAX_COMMAND_BYTES:
                    self._refuse_long_line(client)
                    client.inbox.clear()
                    client.discarding = True
                break
            line = bytes(client.inbox[:newline]).rstrip(b"\r")
            del client.inbox[:newline + 1]
            if len(line) > MAX_COMMAND_BYTES:
                self._refuse_long_line(client)
            elif line.strip():
                command = self._handle_line(client, line)
                if command is not None:
                    commands.append(command)
        return commands

    def _refuse_long_line(self, client: _Client) -> None:
        self._send(client, self._reply(0, f"refused: command longer than {MAX_COMMAND_BYTES} bytes"))
        self._warn(f"control: refused a command longer than {MAX_COMMAND_BYTES} bytes")

    def _handle_line(self, client: _Client, line: bytes) -> Optional[Command]:
        try:
            command = parse_command(line)
            reason = self._validate(command)
            if reason is not None:
                raise CommandRefused(reason, command.id, command.by)
        except CommandRefused as refused:
            # "refused: " like grpotop's own server; attach shows "command <id> refused: ...".
            self._send(client, self._reply(refused.command_id, "refused: " + refused.reason))
            self._warn(f"control: refused command {refused.command_id} from {refused.by}: "
                       f"{refused.reason}")
            return None
        self._send(client, self._reply(command.id))
        return command

    @staticmethod
    def _reply(command_id: int, error: Optional[str] = None) -> bytes:
        reply: Dict[str, Any] = {"v": SCHEMA_VERSION, "id": command_id, "ok": error is None}
        if error is not None:
            reply["error"] = error
        return (_compact_json(reply) + "\n").encode("utf-8")

    def _send(self, client: _Client, data: bytes) -> None:
        client.outbox += data
        self._flush(client)

    def _flush(self, client: _Client) -> None:
        while client.outbox:
            try:
                sent = client.connection.send(client.outbox)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self._drop(client)
                return
            del client.outbox[:sent]
        if len(client.outbox) > MAX_PENDING_REPLY_BYTES:
            self._warn("control: dropped a client that does not read its replies")
            self._drop(client)

    def _drop(self, client: _Client) -> None:
        fd = client.connection.fileno()
        if self._clients.pop(fd, None) is not None:
            self._selector.unregister(client.connection)
        client.connection.close()


# MARK: The run


class Run:
    """One training run reported to grpotop: the events file and, optionally, the control socket.

    Arguments: ``events`` is the events.jsonl path (appended to; created with its directory);
    ``control`` the control socket path, or None for no socket. The rest fills run_start:
    ``algorithm``, ``config`` (any JSON-able dict), ``hyperparameters`` (the editable schema,
    a list of :class:`Hyperparameter`), ``total_iterations``, ``group_size``,
    ``prompts_per_iteration``, ``rewards`` (names, in the order metrics report them),
    ``run_id`` (default: the name of the events file's directory), ``run_directory`` (default:
    that directory) and ``start_iteration`` (> 0 after a resume). ``on_log(level, message)``,
    if given, is called for every log event, e.g. to mirror them on stderr.

    Not thread-safe for commands: call poll()/wait_if_paused() from the training thread.
    Event methods may be called from any thread.
    """

    def __init__(self, events: str, control: Optional[str] = None, *, algorithm: str = "flow-grpo",
                 config: Optional[Dict[str, Any]] = None,
                 hyperparameters: Iterable[Hyperparameter] = (), total_iterations: int = 0,
                 group_size: int = 0, prompts_per_iteration: int = 0, rewards: Sequence[str] = (),
                 run_id: Optional[str] = None, run_directory: Optional[str] = None,
                 start_iteration: int = 0,
                 on_log: Optional[Callable[[str, str], None]] = None) -> None:
        self.schema: Dict[str, Hyperparameter] = {h.key: h for h in hyperparameters}
        #: Current hyperparameter values by key; a valid live ``set`` updates them in poll().
        self.hparams: Dict[str, Any] = {key: h.value for key, h in self.schema.items()}
        #: Set by a ``stop`` command; the loop should save, then close(status="stopped").
        self.stop_requested = False
        #: Set by ``save_checkpoint``; the loop saves, calls checkpoint() and clears it.
        self.checkpoint_requested = False
        #: Set by ``snapshot`` (a request for the front ends); the loop may clear it.
        self.snapshot_requested = False
        self._on_log = on_log
        self._lock = threading.Lock()
        self._paused = False
        self._pause_at_next_wait = False
        self._paused_by = "unknown"
        self._release_message = ""
        self._phase = "idle"
        self._iteration = int(start_iteration)
        self._nonfinite_reported: set = set()
        self._file = None
        # The socket comes first: it may create the shared run directory 0700, and a run whose
        # socket is refused should not have written run_start.
        self.control = (ControlServer(control, self._refusal, lambda m: self.log("warning", m))
                        if control is not None else None)
        try:
            directory = os.path.dirname(events)
            if directory:
                os.makedirs(directory, exist_ok=True)
            self._seq = self._count_lines(events)
            self._file = open(events, "a", encoding="utf-8", errors="replace", buffering=1)
            if self._ends_mid_line(events):
                # A crashed writer's partial line: end it, so our first event stays whole.
                self._file.write("\n")
        except BaseException:
            if self.control is not None:
                self.control.close()
            raise
        run_directory = run_directory if run_directory is not None else (directory or ".")
        self._emit("run_start", {
            "runID": run_id or os.path.basename(os.path.abspath(run_directory)),
            "algorithm": algorithm,
            "config": _json_value(config if config is not None else {}),
            "hyperparameters": [h.to_json(self.hparams[h.key]) for h in self.schema.values()],
            "totalIterations": int(total_iterations),
            "groupSize": int(group_size),
            "promptsPerIteration": int(prompts_per_iteration),
            "rewards": [str(r) for r in rewards],
            "runDirectory": run_directory,
            "startIteration": int(start_iteration),
        })
        self._emit("phase", {"iteration": self._iteration, "phase": "idle"})

    @staticmethod
    def _count_lines(path: str) -> int:
        """Lines already in the file, so a resumed run's seq goes on (as grpotop's does)."""
        try:
            with open(path, "rb") as existing:
                return sum(1 for _ in existing)
        except FileNotFoundError:
            return 0

    @staticmethod
    def _ends_mid_line(path: str) -> bool:
        """True when the file is not empty and its last byte is not a newline."""
        with open(path, "rb") as existing:
            if existing.seek(0, os.SEEK_END) == 0:
                return False
            existing.seek(-1, os.SEEK_END)
            return existing.read(1) != b"\n"

    # MARK: Events

    def _emit(self, type_name: str, data: Dict[str, Any]) -> None:
        with self._lock:
            if self._file is None:
                raise ValueError("the run is closed")
            line = _compact_json({"v": SCHEMA_VERSION, "seq": self._seq, "time": time.time(),
                                  "type": type_name, "data": data})
            self._file.write(line + "\n")
            self._file.flush()
            self._seq += 1

    def _at(self, iteration: int) -> int:
        iteration = int(iteration)
        self._iteration = max(self._iteration, iteration)
        return iteration

    def _number(self, value: Any, field: str) -> float:
        """A finite float for a required number; JSON has no NaN, so those become 0 (warned)."""
        number = float(_plain(value))
        if math.isfinite(number):
            return number
        self._report_nonfinite(field, number, "written as 0")
        return 0.0

    def _metric_values(self, values: Dict[str, Any], iteration: int) -> Dict[str, float]:
        out = {}
        for name, value in values.items():
            number = float(_plain(value))
            if math.isfinite(number):
                out[str(name)] = number
            else:
                self._report_nonfinite(str(name), number, f"left out at iteration {iteration}")
        return out

    def _report_nonfinite(self, field: str, number: float, outcome: str) -> None:
        # Once per field: a diverged loss would otherwise flood the log panel.
        if field not in self._nonfinite_reported:
            self._nonfinite_reported.add(field)
            self.log("warning", f"{field} is {number}, which JSON cannot carry: {outcome} "
                                "(reported once)")

    def phase(self, iteration: int, phase: str, stage: Optional[str] = None) -> None:
        """The run entered ``phase`` (one of :data:`PHASES`); ``stage`` labels a stage change."""
        if phase not in PHASES:
            raise ValueError(f"unknown phase '{phase}' (one of {', '.join(PHASES)})")
        if phase != "paused":
            self._phase = phase
        data: Dict[str, Any] = {"iteration": self._at(iteration), "phase": phase}
        if stage is not None:
            data["stage"] = stage
        self._emit("phase", data)

    def step_metrics(self, iteration: int, step: int, values: Dict[str, Any]) -> None:
        """Per optimizer step scalars (policy_loss, kl, loss, approx_kl, clipfrac, grad_norm, lr)."""
        iteration = self._at(iteration)
        self._emit("step_metrics", {"iteration": iteration, "step": int(step),
                                    "values": self._metric_values(values, iteration)})

    def iteration_metrics(self, iteration: int, values: Dict[str, Any]) -> None:
        """Per iteration scalars (reward/<name>/mean and /std, reward_std_mean, zero_std_ratio...)."""
        iteration = self._at(iteration)
        self._emit("iteration_metrics", {"iteration": iteration,
                                         "values": self._metric_values(values, iteration)})

    def evaluation(self, iteration: int, values: Dict[str, Any]) -> None:
        """Held-out evaluation scalars (alignment, frechet, diversity, ...)."""
        iteration = self._at(iteration)
        self._emit("evaluation", {"iteration": iteration,
                                  "values": self._metric_values(values, iteration)})

    def histogram(self, iteration: int, name: str, values: Any, low: float = -5.0,
                  high: float = 5.0, bins: int = 21) -> None:
        """Bins ``values`` (list or tensor) into ``bins`` equal bins over [low, high].

        Values outside are counted in the end bins and non-finite ones are skipped, as the
        Swift ``Histogram`` does.
        """
        counts = [0] * max(1, int(bins))
        width = (high - low) / len(counts)
        for value in _flatten(values):
            v = float(value)
            if not math.isfinite(v):
                continue
            index = math.floor((v - low) / width) if width > 0 else 0
            counts[min(max(index, 0), len(counts) - 1)] += 1
        self._emit("histogram", {"iteration": self._at(iteration), "name": name,
                                 "low": float(low), "high": float(high), "counts": counts})

    def samples(self, iteration: int, prompt: str, images: Iterable[Any], rewards: Any,
                advantages: Any, references: Iterable[Any] = (), value_range: str = "auto") -> None:
        """One prompt's group: its images with rewards and advantages, and reference images.

        Images and references are anything :func:`thumbnail` accepts (tensors, arrays, lists,
        PIL images, ``(width, height, bytes)``); each is shrunk to at most 64×64.
        """
        self._emit("samples", {
            "iteration": self._at(iteration), "prompt": str(prompt),
            "images": [thumbnail(i, value_range).to_json() for i in images],
            "rewards": [self._number(r, "sample reward") for r in _flatten(rewards)],
            "advantages": [self._number(a, "sample advantage") for a in _flatten(advantages)],
            "references": [thumbnail(r, value_range).to_json() for r in references],
        })

    def discriminator_update(self, iteration: int, reason: str, reward_generated: float,
                             reward_reference: float, loss_before: float, loss_after: float,
                             accuracy_before: float, accuracy_after: float, steps: int) -> None:
        """An Adv-GRPO discriminator update; ``reason`` is "adaptive", "ratio" or "manual"."""
        fields = {"rewardGenerated": reward_generated, "rewardReference": reward_reference,
                    "lossBefore": loss_before, "lossAfter": loss_after,
                    "accuracyBefore": accuracy_before, "accuracyAfter": accuracy_after}
        data: Dict[str, Any] = {k: self._number(v, k) for k, v in fields.items()}
        data.update(iteration=self._at(iteration), reason=reason, steps=int(steps))
        self._emit("discriminator_update", data)

    def hyperparameter_change(self, iteration: int, key: str, old: Any, new: Any, by: str) -> None:
        """Records that ``key`` went from ``old`` to ``new`` at the request of ``by``.

        Commands from the socket are recorded by the run itself; call this for changes the
        loop makes (e.g. ``by="schedule"``). It also updates :attr:`hparams`.
        """
        self.hparams[key] = new
        self._emit("hyperparameter_change", {"iteration": self._at(iteration), "key": key,
                                             "old": _json_value(old), "new": _json_value(new),
                                             "by": by})

    def checkpoint(self, iteration: int, path: str, reason: str = "periodic") -> None:
        """A checkpoint was written; ``reason`` is "periodic", "request", "stop", "end"..."""
        self._emit("checkpoint", {"iteration": self._at(iteration), "path": str(path),
                                  "reason": reason})

    def log(self, level: str, message: str) -> None:
        """A line for the dashboard's log panel; ``level`` is debug, info, warning or error."""
        if level not in LOG_LEVELS:
            raise ValueError(f"unknown log level '{level}' (one of {', '.join(LOG_LEVELS)})")
        self._emit("log", {"level": level, "message": str(message)})
        if self._on_log is not None:
            self._on_log(level, str(message))

    # MARK: Commands

    @property
    def paused(self) -> bool:
        """True while a pause is in force (it takes effect in :meth:`wait_if_paused`)."""
        return self._paused

    def _refusal(self, command: Command) -> Optional[str]:
        """Why a parsed command cannot be applied (only ``set`` can fail here), or None."""
        if command.action != "set":
            return None
        spec = self.schema.get(command.key or "")
        if spec is None:
            editable = ", ".join(k for k, h in self.schema.items() if h.live)
            return f"unknown hyperparameter '{command.key}' (editable: {editable})"
        return spec.refusal(command.value)

    def poll(self, timeout: float = 0.0) -> List[Command]:
        """Handles waiting commands and returns them; never blocks unless ``timeout`` > 0.

        Every command has been replied to and applied when this returns: pause/resume/step
        change :attr:`paused`, ``set`` updates :attr:`hparams` and writes a
        hyperparameter_change event, and save_checkpoint/snapshot/stop set the ``*_requested``
        flags. With ``timeout``, waits up to that long for something to arrive.
        """
        if self.control is None:
            if timeout > 0:
                time.sleep(timeout)
            return []
        commands = self.control.poll(timeout)
        for command in commands:
            self._apply(command)
        return commands

    def _apply(self, command: Command) -> None:
        by = command.by
        if command.action == "pause":
            if not self._paused:
                self._paused, self._paused_by = True, by
        elif command.action == "resume":
            self._pause_at_next_wait = False
            if self._paused:
                self._paused, self._release_message = False, f"resumed by {by}"
        elif command.action == "step":
            # Like grpotop's trainer: a step only means something while paused.
            if self._paused:
                self._paused, self._pause_at_next_wait = False, True
                self._paused_by, self._release_message = by, f"stepping one iteration by {by}"
        elif command.action == "set":
            spec = self.schema[command.key]
            old, new = self.hparams.get(spec.key), spec.normalize(command.value)
            self.hyperparameter_change(self._iteration, spec.key, old, new, by)
            self.log("info", f"{spec.key} {_describe(old)} -> {_describe(new)} by {by}")
        elif command.action == "save_checkpoint":
            self.checkpoint_requested = True
            self.log("info", f"checkpoint requested by {by}")
        elif command.action == "snapshot":
            self.snapshot_requested = True
            self.log("info", f"snapshot requested by {by}")
        elif command.action == "stop":
            self.stop_requested = True
            self.log("info", f"stop requested by {by}")

    def wait_if_paused(self, iteration: int,
                       on_command: Optional[Callable[[Command], None]] = None) -> List[Command]:
        """Call at the top of each iteration: returns at once unless paused, else blocks.

        While paused it writes a "paused" phase and a "paused by <who>" log line and handles
        commands as they come (looking at least every ~50 ms). It returns on resume or step
        (the next call pauses again), writing "resumed by <who>" or "stepping one iteration by
        <who>" and the phase the run was in, or on stop (check :attr:`stop_requested`).
        ``on_command`` is called with each command that arrives while waiting, e.g. to save a
        checkpoint without resuming. Returns every command handled by this call.
        """
        handled = self.poll()
        after_step = self._pause_at_next_wait
        if after_step:
            self._pause_at_next_wait, self._paused = False, True
        if not self._paused or self.stop_requested:
            return handled
        resumed_phase = self._phase
        self.phase(iteration, "paused")
        self.log("info", f"paused by {self._paused_by}" + (" after one step" if after_step else ""))
        while self._paused and not self.stop_requested:
            for command in self.poll(PAUSE_POLL_SECONDS):
                handled.append(command)
                if on_command is not None:
                    on_command(command)
        # A stop ends the wait but not the pause: run_end follows, no resumed phase.
        if not self._paused:
            self.log("info", self._release_message)
            self.phase(iteration, resumed_phase)
        return handled

    # MARK: The end

    def close(self, status: str = "completed", message: Optional[str] = None,
              iteration: Optional[int] = None) -> None:
        """Writes run_end (status "completed", "stopped" or "failed"), closes and unlinks the
        socket and closes the events file. ``iteration`` defaults to the highest one seen.
        Calling it again does nothing.
        """
        if self._file is None:
            return
        end_iteration = self._iteration if iteration is None else self._at(iteration)
        try:
            if status == "completed":
                self.phase(end_iteration, "finished")
            data: Dict[str, Any] = {"iteration": end_iteration, "status": status}
            if message is not None:
                data["message"] = " ".join(str(message).split())
            self._emit("run_end", data)
        finally:
            if self.control is not None:
                self.control.close()
                self.control = None
            with self._lock:
                self._file.close()
                self._file = None

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        """Closes the run: "completed", "stopped" on Ctrl-C, "failed" with the error otherwise."""
        if error is None:
            self.close("stopped" if self.stop_requested else "completed")
        elif isinstance(error, KeyboardInterrupt):
            self.close("stopped", "interrupted")
        else:
            text = f"{kind.__name__}: {error}"
            self.log("error", text)
            self.close("failed", text)
        return False
