"""Tests of grpotop_events: the events it writes and the control socket it serves.

Run from the repository root: python3 -m unittest discover -s clients/python -p 'test_*.py'
Standard library only. Nothing here depends on timing: waits are bounded loops on a condition
with generous deadlines.
"""

import base64
import json
import os
import select
import socket
import stat
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grpotop_events as ge  # noqa: E402

DEADLINE_SECONDS = 10.0

# The fields of each event's data, as Sources/RunProtocol/Events.swift names them.
RUN_START_FIELDS = {"runID", "algorithm", "config", "hyperparameters", "totalIterations", "groupSize",
                    "promptsPerIteration", "rewards", "runDirectory", "startIteration"}
EXPECTED_FIELDS = {
    "phase": {"iteration", "phase"},
    "step_metrics": {"iteration", "step", "values"},
    "iteration_metrics": {"iteration", "values"},
    "evaluation": {"iteration", "values"},
    "histogram": {"iteration", "name", "low", "high", "counts"},
    "samples": {"iteration", "prompt", "images", "rewards", "advantages", "references"},
    "discriminator_update": {"iteration", "reason", "rewardGenerated", "rewardReference", "lossBefore",
                             "lossAfter", "accuracyBefore", "accuracyAfter", "steps"},
    "hyperparameter_change": {"iteration", "key", "old", "new", "by"},
    "checkpoint": {"iteration", "path", "reason"},
    "log": {"level", "message"},
    "run_end": {"iteration", "status"},
}


def schema():
    """A small schema with every type, live and not."""
    return [
        ge.Hyperparameter("grpo.lr", "float", 3e-4, min=1e-7, max=0.1, live=True, nudge="mul2",
                          help="AdamW learning rate"),
        ge.Hyperparameter("grpo.optimizer_steps_per_iteration", "int", 2, min=1, max=16, live=True,
                          nudge="add1", help="optimizer steps per batch"),
        ge.Hyperparameter("grpo.advantage_std", "choice", "global", choices=["global", "group"],
                          live=True, help="std of the advantages"),
        ge.Hyperparameter("eval.enabled", "bool", True, live=True, help="evaluate"),
        ge.Hyperparameter("grpo.group_size", "int", 16, min=2, max=256, live=False, nudge="add1",
                          help="samples per prompt"),
    ]


def read_events(path):
    """Every event of an events file, each line checked to be one compact JSON object."""
    events = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            assert line == json.dumps(event, sort_keys=True, separators=(",", ":"),
                                      ensure_ascii=False) + "\n", line
            events.append(event)
    return events


def decode_rgb(thumb):
    """The bytes of a thumbnail event, checked against its size."""
    rgb = base64.b64decode(thumb["rgb"])
    assert len(rgb) == thumb["width"] * thumb["height"] * 3
    return rgb


class EventTests(unittest.TestCase):
    """What the events file holds."""

    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.directory.name, "run", "events.jsonl")

    def tearDown(self):
        self.directory.cleanup()

    def test_every_event_type_with_exact_field_names(self):
        run = ge.Run(self.path, algorithm="flow-grpo", config={"grpo": {"lr": 3e-4, "eps": float("nan")}},
                     hyperparameters=schema(), total_iterations=10, group_size=2, prompts_per_iteration=1,
                     rewards=["judge"])
        run.phase(0, "sampling")
        run.phase(0, "sft", stage="sft")
        run.step_metrics(0, 1, {"policy_loss": -0.01, "approx_kl": 0.002, "clipfrac": 0.25})
        run.iteration_metrics(0, {"reward/judge/mean": 0.4, "zero_std_ratio": 0})
        run.histogram(0, "advantage", [-7, -5, -1, 0, 0.5, 4.9, 7, float("inf")], low=-5, high=5, bins=10)
        run.samples(0, "red circle", [[[[0.0, 0.5, 1.0]]]] * 2, [0.25, 0.75], [-1.0, 1.0],
                    references=[(1, 1, b"\x01\x02\x03")])
        run.discriminator_update(0, "adaptive", 0.7, 0.6, 0.9, 0.4, 0.5, 0.9, 10)
        run.evaluation(0, {"alignment": 0.55, "frechet": 12.5})
        run.hyperparameter_change(0, "grpo.lr", 3e-4, 1.5e-4, "schedule")
        run.checkpoint(0, "runs/x/checkpoints/step-000001.pt", "periodic")
        run.log("warning", "héllo → ✓")
        run.close()

        events = read_events(self.path)
        self.assertEqual([e["seq"] for e in events], list(range(len(events))))
        for e in events:
            self.assertEqual(set(e), {"v", "seq", "time", "type", "data"})
            self.assertEqual(e["v"], 1)
            self.assertLess(abs(e["time"] - time.time()), 3600)
        self.assertEqual(events[0]["type"], "run_start")
        start = events[0]["data"]
        self.assertEqual(set(start), RUN_START_FIELDS)
        self.assertEqual(start["runID"], "run")
        self.assertIsNone(start["config"]["grpo"]["eps"])
        lr = start["hyperparameters"][0]
        self.assertEqual(lr, {"key": "grpo.lr", "type": "float", "value": 3e-4, "min": 1e-7, "max": 0.1,
                              "live": True, "nudge": "mul2", "help": "AdamW learning rate"})
        self.assertEqual(start["hyperparameters"][2]["choices"], ["global", "group"])
        self.assertNotIn("nudge", start["hyperparameters"][3])
        self.assertEqual(events[1]["type"], "phase")

        for e in events[1:]:
            fields = set(EXPECTED_FIELDS[e["type"]])
            if e["type"] == "phase" and "stage" in e["data"]:
                fields.add("stage")
            self.assertEqual(set(e["data"]), fields, e["type"])
        by_type = {}
        for e in events:
            by_type.setdefault(e["type"], []).append(e["data"])
        self.assertEqual(set(by_type), {"run_start"} | set(EXPECTED_FIELDS))
        self.assertEqual(by_type["histogram"][0]["counts"], [2, 0, 0, 0, 1, 2, 0, 0, 0, 2])
        samples = by_type["samples"][0]
        self.assertEqual(decode_rgb(samples["images"][0]), bytes([0, 128, 255]))
        self.assertEqual(decode_rgb(samples["references"][0]), b"\x01\x02\x03")
        self.assertEqual(by_type["hyperparameter_change"][0]["by"], "schedule")
        self.assertEqual(by_type["log"][0]["message"], "héllo → ✓")
        self.assertEqual(by_type["run_end"][0], {"iteration": 0, "status": "completed"})
        self.assertEqual(by_type["phase"][-1]["phase"], "finished")

    def test_non_finite_metrics_are_left_out_with_one_warning(self):
        run = ge.Run(self.path)
        run.step_metrics(1, 1, {"policy_loss": float("nan"), "kl": 0.1})
        run.step_metrics(1, 2, {"policy_loss": float("nan"), "kl": 0.2})
        run.close()
        events = read_events(self.path)
        steps = [e["data"]["values"] for e in events if e["type"] == "step_metrics"]
        self.assertEqual(steps, [{"kl": 0.1}, {"kl": 0.2}])
        warnings = [e for e in events if e["type"] == "log" and e["data"]["level"] == "warning"]
        self.assertEqual(len(warnings), 1)
        self.assertIn("policy_loss", warnings[0]["data"]["message"])

    def test_appending_continues_seq_and_context_manager_reports_failure(self):
        ge.Run(self.path).close()
        with open(self.path, "a") as f:
            f.write('{"v":1,"seq":4,"ty')  # a writer that died mid-line
        with self.assertRaises(RuntimeError):
            with ge.Run(self.path) as run:
                run.phase(3, "update")
                raise RuntimeError("out of memory")
        with open(self.path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        self.assertEqual(lines[4], '{"v":1,"seq":4,"ty')
        events = [json.loads(line) for line in lines[:4] + lines[5:-1]]
        self.assertEqual([e["seq"] for e in events], list(range(4)) + list(range(5, 5 + len(events) - 4)))
        self.assertEqual(events[-1]["data"], {"iteration": 3, "status": "failed",
                                              "message": "RuntimeError: out of memory"})

    def test_bad_phase_and_level_raise(self):
        run = ge.Run(self.path)
        with self.assertRaises(ValueError):
            run.phase(0, "training")
        with self.assertRaises(ValueError):
            run.log("fatal", "x")
        run.close()


class FakeTensor:
    """Enough of a torch tensor for thumbnail(): detach, cpu, shape, slicing and tolist."""

    def __init__(self, data):
        self.data = data

    @property
    def shape(self):
        return ge._nested_shape(self.data)

    def detach(self):
        return self

    def cpu(self):
        return self

    def __getitem__(self, index):
        def take(data, keys):
            if not keys:
                return data
            key, rest = keys[0], keys[1:]
            if isinstance(key, slice):
                return [take(item, rest) for item in data[key]]
            return take(data[key], rest)
        return FakeTensor(take(self.data, index if isinstance(index, tuple) else (index,)))

    def tolist(self):
        return self.data


class ThumbnailTests(unittest.TestCase):
    """Images of every accepted form become the same RGB bytes."""

    # A 2×5 (height × width) test image, as 0..255 levels; 5 wide so [3][2][5] is unambiguous.
    LEVELS = [[[255, 0, 0], [0, 255, 0], [0, 0, 255], [1, 2, 3], [250, 251, 252]],
              [[0, 0, 0], [255, 255, 255], [128, 128, 128], [64, 32, 16], [9, 99, 199]]]
    EXPECTED = bytes(v for row in LEVELS for pixel in row for v in pixel)

    @staticmethod
    def chw(hwc):
        return [[[pixel[c] for pixel in row] for row in hwc] for c in range(3)]

    def test_hwc_unit_floats(self):
        image = [[[v / 255 for v in pixel] for pixel in row] for row in self.LEVELS]
        t = ge.thumbnail(image)
        self.assertEqual((t.width, t.height, t.rgb), (5, 2, self.EXPECTED))

    def test_chw_signed_floats(self):
        image = self.chw([[[v / 127.5 - 1 for v in pixel] for pixel in row] for row in self.LEVELS])
        t = ge.thumbnail(image)
        self.assertEqual((t.width, t.height, t.rgb), (5, 2, self.EXPECTED))

    def test_byte_ints_and_explicit_range(self):
        self.assertEqual(ge.thumbnail(self.LEVELS).rgb, self.EXPECTED)
        self.assertEqual(ge.thumbnail(self.chw(self.LEVELS)).rgb, self.EXPECTED)
        unit = [[[0.0, 0.5, 1.0]]]
        self.assertEqual(ge.thumbnail(unit, value_range="-1..1").rgb, bytes([128, 191, 255]))

    def test_values_are_clamped(self):
        self.assertEqual(ge.thumbnail([[[300, -4, 12]]]).rgb, bytes([255, 0, 12]))
        self.assertEqual(ge.thumbnail([[[1.2, 0.5, float("nan")]]], value_range="0..1").rgb,
                         bytes([255, 128, 0]))

    def test_tensor_like_grey_and_batch(self):
        self.assertEqual(ge.thumbnail(FakeTensor([self.chw(self.LEVELS)])).rgb, self.EXPECTED)
        grey = ge.thumbnail([[0, 255]])
        self.assertEqual(grey.rgb, bytes([0, 0, 0, 255, 255, 255]))

    def test_large_images_shrink_to_64(self):
        big = [[[x % 256, y % 256, 7] for x in range(200)] for y in range(100)]
        t = ge.thumbnail(FakeTensor(big))
        self.assertEqual((t.width, t.height), (64, 32))
        self.assertEqual(len(t.rgb), 64 * 32 * 3)
        square = ge.thumbnail((128, 128, bytes(128 * 128 * 3)))
        self.assertEqual((square.width, square.height), (64, 64))

    def test_bad_shapes_are_refused(self):
        with self.assertRaises(ValueError):
            ge.thumbnail([[[1, 2]], [[3, 4]]])
        with self.assertRaises(ValueError):
            ge.thumbnail((2, 2, b"\x00"))


class SocketSetupTests(unittest.TestCase):
    """Where and how the control socket is created."""

    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.root = self.directory.name

    def tearDown(self):
        self.directory.cleanup()

    def test_socket_is_0600_in_a_0700_directory_and_close_unlinks_it(self):
        control = os.path.join(self.root, "ctl", "control.sock")
        run = ge.Run(os.path.join(self.root, "events.jsonl"), control=control)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(control)).st_mode), 0o700)
        info = os.lstat(control)
        self.assertTrue(stat.S_ISSOCK(info.st_mode))
        self.assertEqual(stat.S_IMODE(info.st_mode), 0o600)
        run.close()
        self.assertFalse(os.path.exists(control))
        events = read_events(os.path.join(self.root, "events.jsonl"))
        self.assertEqual(events[-1]["type"], "run_end")

    def test_a_directory_open_to_others_is_refused(self):
        shared = os.path.join(self.root, "shared")
        os.mkdir(shared)
        os.chmod(shared, 0o755)
        with self.assertRaises(ge.ControlSocketError) as caught:
            ge.Run(os.path.join(self.root, "events.jsonl"), control=os.path.join(shared, "c.sock"))
        self.assertIn(shared, str(caught.exception))
        self.assertIn("0755", str(caught.exception))
        self.assertFalse(os.path.exists(os.path.join(self.root, "events.jsonl")))

    def test_a_stale_socket_is_replaced(self):
        control = os.path.join(self.root, "ctl", "control.sock")
        os.mkdir(os.path.dirname(control), 0o700)
        dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        dead.bind(control)
        dead.close()
        run = ge.Run(os.path.join(self.root, "events.jsonl"), control=control)
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(control)
        client.close()
        run.close()

    def test_a_live_socket_or_another_file_is_refused(self):
        control = os.path.join(self.root, "ctl", "control.sock")
        first = ge.Run(os.path.join(self.root, "a.jsonl"), control=control)
        with self.assertRaises(ge.ControlSocketError) as caught:
            ge.Run(os.path.join(self.root, "b.jsonl"), control=control)
        self.assertIn("already in use", str(caught.exception))
        first.close()
        with open(control, "w") as f:
            f.write("not a socket")
        with self.assertRaises(ge.ControlSocketError) as caught:
            ge.Run(os.path.join(self.root, "c.jsonl"), control=control)
        self.assertIn(control, str(caught.exception))


class Client:
    """A test's end of a control connection: the socket and what it has read so far."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.sock.setblocking(False)
        self.buffer = b""

    def fileno(self):
        return self.sock.fileno()

    def close(self):
        self.sock.close()


class ControlTests(unittest.TestCase):
    """Commands over the socket: replies, refusals and their effects."""

    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.events = os.path.join(self.directory.name, "events.jsonl")
        self.control = os.path.join(self.directory.name, "ctl", "control.sock")
        self.run = ge.Run(self.events, control=self.control, hyperparameters=schema(),
                          total_iterations=3, group_size=2, prompts_per_iteration=1, rewards=["judge"])
        self.client = self.connect()
        # Accept it now, so a test that changes owner_uid judges only its own new connection.
        self.run.poll(timeout=DEADLINE_SECONDS)

    def tearDown(self):
        self.client.close()
        self.run.close()
        self.directory.cleanup()

    def connect(self):
        return Client(self.control)

    def send(self, data, client=None):
        """Sends all of data, letting the run read in between so big lines cannot deadlock."""
        client = client or self.client
        view = memoryview(data)
        deadline = time.monotonic() + DEADLINE_SECONDS
        while view:
            self.assertLess(time.monotonic(), deadline, "the run stopped reading")
            try:
                view = view[client.sock.send(view[:65536]):]
            except BlockingIOError:
                pass
            self.run.poll(timeout=0.01)

    def reply(self, client=None, poll=True):
        """The next reply line, polling the run (from this thread) until it comes."""
        client = client or self.client
        deadline = time.monotonic() + DEADLINE_SECONDS
        while b"\n" not in client.buffer:
            self.assertLess(time.monotonic(), deadline, "no reply")
            if poll:
                self.run.poll(timeout=0.01)
            if select.select([client], [], [], 0.01)[0]:
                data = client.sock.recv(65536)
                self.assertTrue(data, "connection closed before a reply")
                client.buffer += data
        line, client.buffer = client.buffer.split(b"\n", 1)
        reply = json.loads(line)
        self.assertEqual(line.decode(), json.dumps(reply, sort_keys=True, separators=(",", ":"),
                                                   ensure_ascii=False))
        return reply

    def command(self, **fields):
        message = {"v": 1, "by": "test"}
        message.update(fields)
        return (json.dumps(message) + "\n").encode()

    def wait_for_event(self, predicate):
        """Reads the events file until an event matches (written by another thread)."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            if any(predicate(e) for e in read_events(self.events)):
                return
            time.sleep(0.01)
        self.fail("the event never came")

    def logs(self, level):
        return [e["data"]["message"] for e in read_events(self.events)
                if e["type"] == "log" and e["data"]["level"] == level]

    def test_pause_step_set_resume(self):
        self.send(self.command(id=1, action="pause"))
        self.assertEqual(self.reply(), {"v": 1, "id": 1, "ok": True})
        self.assertTrue(self.run.paused)

        # From here the run is polled by the "training" thread only.
        passed = []

        def train():
            for i in range(3):
                self.run.wait_if_paused(i)
                passed.append(i)

        trainer = threading.Thread(target=train, daemon=True)
        trainer.start()
        self.wait_for_event(lambda e: e["type"] == "log" and e["data"]["message"] == "paused by test")
        self.assertEqual(passed, [])

        self.send_only(self.command(id=2, action="step"))
        self.assertEqual(self.reply(poll=False), {"v": 1, "id": 2, "ok": True})
        self.wait_for_event(lambda e: e["type"] == "log"
                            and e["data"]["message"] == "paused by test after one step")
        self.assertEqual(passed, [0])

        self.send_only(self.command(id=3, action="set", key="grpo.lr", value=0.0006))
        self.assertEqual(self.reply(poll=False), {"v": 1, "id": 3, "ok": True})
        self.wait_for_event(lambda e: e["type"] == "hyperparameter_change")
        self.assertEqual(self.run.hparams["grpo.lr"], 0.0006)

        self.send_only(self.command(id=4, action="resume"))
        self.assertEqual(self.reply(poll=False), {"v": 1, "id": 4, "ok": True})
        trainer.join(DEADLINE_SECONDS)
        self.assertFalse(trainer.is_alive())
        self.assertEqual(passed, [0, 1, 2])

        events = read_events(self.events)
        change = [e["data"] for e in events if e["type"] == "hyperparameter_change"]
        self.assertEqual(change, [{"iteration": 1, "key": "grpo.lr", "old": 0.0003, "new": 0.0006,
                                   "by": "test"}])
        self.assertEqual(self.logs("info"), ["paused by test", "stepping one iteration by test",
                                             "paused by test after one step",
                                             "grpo.lr 0.0003 -> 0.0006 by test", "resumed by test"])
        phases = [e["data"]["phase"] for e in events if e["type"] == "phase"]
        self.assertEqual(phases, ["idle", "paused", "idle", "paused", "idle"])
        self.assertEqual(self.logs("warning"), [])

    def send_only(self, data):
        """Sends a short command without polling (another thread owns the run)."""
        self.client.sock.setblocking(True)
        self.client.sock.sendall(data)
        self.client.sock.setblocking(False)

    def test_flags_and_commands_returned_by_poll(self):
        self.send(self.command(id=5, action="save_checkpoint") + self.command(id=6, action="snapshot")
                  + self.command(id=7, action="stop"))
        self.assertEqual([self.reply()["id"] for _ in range(3)], [5, 6, 7])
        self.assertTrue(self.run.checkpoint_requested)
        self.assertTrue(self.run.snapshot_requested)
        self.assertTrue(self.run.stop_requested)
        self.assertEqual(self.logs("info"), ["checkpoint requested by test",
                                             "snapshot requested by test", "stop requested by test"])

    def test_bad_commands_are_refused_and_the_connection_keeps_working(self):
        cases = [
            (b"{not json\n", 0, "not a valid command"),
            (self.command(id=11, action="dance"), 11, "unknown action 'dance'"),
            (self.command(id=12, action="pause", v=2), 12, "command schema v2 is newer than v1"),
            (self.command(id=13, action="set", key="grpo.lr", value=0.5), 13, "grpo.lr must be ≤ 0.1"),
            (self.command(id=14, action="set", key="grpo.group_size", value=8), 14,
             "grpo.group_size cannot change while the run goes on"),
            (self.command(id=15, action="set", key="nope", value=1), 15, "unknown hyperparameter 'nope'"),
            (self.command(id=16, action="set", key="grpo.optimizer_steps_per_iteration", value=2.5), 16,
             "needs a whole number"),
            (self.command(id=17, action="set", key="eval.enabled", value=1), 17, "needs true or false"),
            (self.command(id=18, action="set", key="grpo.advantage_std", value="batch"), 18,
             "must be one of global, group"),
            (b"x" * 70000 + b"\n", 0, "refused: command longer than 65536 bytes"),
        ]
        for line, command_id, reason in cases:
            self.send(line)
            reply = self.reply()
            self.assertEqual((reply["v"], reply["id"], reply["ok"]), (1, command_id, False), line[:80])
            self.assertTrue(reply["error"].startswith("refused: "), reply["error"])
            self.assertIn(reason, reply["error"])
            self.assertNotIn("\n", reply["error"])
            self.send(self.command(id=99, action="snapshot"))
            self.assertEqual(self.reply(), {"v": 1, "id": 99, "ok": True})
        warnings = self.logs("warning")
        self.assertEqual(len(warnings), len(cases))
        self.assertIn("65536", warnings[-1])
        self.assertEqual(self.run.hparams["grpo.lr"], 3e-4)

    def test_a_long_line_arriving_in_pieces_is_refused_once(self):
        self.send(b"y" * 70000)
        self.assertIn("longer than 65536", self.reply()["error"])
        self.send(b"z" * 10000 + b"\n" + self.command(id=21, action="pause"))
        self.assertEqual(self.reply(), {"v": 1, "id": 21, "ok": True})
        self.assertEqual(len(self.logs("warning")), 1)

    def test_valid_set_of_each_type(self):
        self.send(self.command(id=31, action="set", key="grpo.optimizer_steps_per_iteration", value=4.0)
                  + self.command(id=32, action="set", key="grpo.advantage_std", value="group")
                  + self.command(id=33, action="set", key="eval.enabled", value=False))
        self.assertEqual([self.reply()["ok"] for _ in range(3)], [True, True, True])
        self.assertEqual(self.run.hparams["grpo.optimizer_steps_per_iteration"], 4)
        self.assertIsInstance(self.run.hparams["grpo.optimizer_steps_per_iteration"], int)
        self.assertEqual(self.run.hparams["grpo.advantage_std"], "group")
        self.assertIs(self.run.hparams["eval.enabled"], False)

    def test_another_users_connection_is_refused_and_closed(self):
        self.run.control.owner_uid = os.geteuid() + 1
        stranger = self.connect()
        reply = self.reply(stranger)
        self.assertEqual(reply, {"v": 1, "id": 0, "ok": False,
                                 "error": f"refused: peer uid {os.geteuid()} is not the run's owner "
                                          f"(uid {os.geteuid() + 1})"})
        deadline = time.monotonic() + DEADLINE_SECONDS
        closed = False
        while not closed and time.monotonic() < deadline:
            if select.select([stranger], [], [], 0.05)[0]:
                closed = stranger.sock.recv(4096) == b""
        self.assertTrue(closed)
        stranger.close()
        warnings = self.logs("warning")
        self.assertEqual(len(warnings), 1)
        self.assertIn(f"uid {os.geteuid()}", warnings[0])

    def test_close_unlinks_the_socket_and_writes_run_end(self):
        self.run.close(status="stopped", iteration=2)
        self.assertFalse(os.path.exists(self.control))
        self.assertEqual(read_events(self.events)[-1]["data"], {"iteration": 2, "status": "stopped"})


if __name__ == "__main__":
    unittest.main()
