#!/usr/bin/env python3
"""A fake Flow-GRPO training loop that reports to grpotop through grpotop_events.

Nothing is trained: rewards are synthetic, rise with the (editable) learning rate and carry
seeded noise, so the same --seed gives the same run. It shows where a real PyTorch loop calls
the client, and end-to-end tests use it. Try it:

    python3 clients/python/examples/demo_trainer.py --events /tmp/demo/events.jsonl \\
        --control /tmp/demo/control.sock --iterations 200 --interval 0.5
    grpotop attach --follow /tmp/demo/events.jsonl --control /tmp/demo/control.sock

Standard output stays empty; each state change (pause, resume, a hyperparameter set, stop, a
refused command) is one line on standard error and a log event in the events file.
"""

import argparse
import json
import math
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import grpotop_events as ge  # noqa: E402

GROUP_SIZE = 8
PROMPTS_PER_ITERATION = 2
OPTIMIZER_STEPS = 2
THUMBNAIL_SIZE = 16
SAMPLES_EVERY = 2
PROMPTS = [("red circle on blue", (0.9, 0.2, 0.2), (0.1, 0.2, 0.6)),
           ("large white ring at top on striped", (0.95, 0.95, 0.95), (0.3, 0.3, 0.35)),
           ("two green squares", (0.2, 0.8, 0.3), (0.9, 0.85, 0.7)),
           ("yellow star at bottom", (0.95, 0.85, 0.1), (0.15, 0.1, 0.3))]


def hyperparameters():
    """The editable schema the dashboard shows; only grpo.lr changes this fake run's course."""
    return [
        ge.Hyperparameter("grpo.lr", "float", 3e-4, min=1e-7, max=0.1, live=True, nudge="mul2",
                          help="AdamW learning rate of the LoRA adapters"),
        ge.Hyperparameter("kl.beta", "float", 0.04, min=0, max=10, live=True, nudge="mul2",
                          help="weight of the KL to the reference policy"),
        ge.Hyperparameter("grpo.clip_range", "float", 1e-3, min=1e-6, max=0.5, live=True, nudge="mul2",
                          help="ε of the clipped ratio; watch clipfrac"),
        ge.Hyperparameter("grpo.advantage_std", "choice", "global", choices=["global", "group"],
                          live=True, help="global or per-group std of the advantages"),
        ge.Hyperparameter("grpo.group_size", "int", GROUP_SIZE, min=2, max=256, live=False,
                          nudge="add1", help="samples per prompt"),
    ]


def fake_image(reward, colour, background, rng):
    """A THUMBNAIL_SIZE² HWC image in [0, 1]: a disc that grows and sharpens with the reward."""
    size = THUMBNAIL_SIZE
    radius = 2 + 5 * max(0.0, min(1.0, reward))
    cx, cy = size / 2 + rng.uniform(-2, 2), size / 2 + rng.uniform(-2, 2)
    image = []
    for y in range(size):
        row = []
        for x in range(size):
            inside = math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= radius
            base = colour if inside else background
            row.append([min(1.0, max(0.0, c + rng.gauss(0, 0.05 * (1 - reward)))) for c in base])
        image.append(row)
    return image


def group_advantages(rewards, per_group):
    """(r - mean of its group) / (std + 1e-4), clipped to ±5 (std global or per group)."""
    def std(values):
        mean = sum(values) / len(values)
        return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))

    advantages = []
    global_std = std([r for group in rewards for r in group])
    for group in rewards:
        mean = sum(group) / len(group)
        scale = (std(group) if per_group else global_std) + 1e-4
        advantages.append([max(-5.0, min(5.0, (r - mean) / scale)) for r in group])
    return advantages


def save_checkpoint(run, directory, iteration, progress, reason):
    """Writes the fake state as JSON and reports it."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"demo-{iteration:06d}.json")
    with open(path, "w") as f:
        json.dump({"iteration": iteration, "progress": progress, "hparams": run.hparams}, f)
    run.checkpoint(iteration, path, reason)


def idle(run, seconds):
    """Stands in for work that takes ``seconds``, staying responsive to commands."""
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        run.poll(timeout=left)


def train(run, iterations, interval, rng, checkpoints):
    """The loop: returns the iterations done (fewer than asked when stopped)."""
    progress, step = 0.0, 0
    for i in range(iterations):
        # Pause, step and resume take effect here; set and the requests in every poll.
        run.wait_if_paused(i)
        if run.stop_requested:
            save_checkpoint(run, checkpoints, i, progress, "stop")
            return i
        lr, beta = run.hparams["grpo.lr"], run.hparams["kl.beta"]

        # Sampling: a real loop runs the SDE sampler here and keeps each step's log-prob.
        run.phase(i, "sampling")
        started = time.monotonic()
        idle(run, interval / 3)
        prompts = [PROMPTS[(i * PROMPTS_PER_ITERATION + p) % len(PROMPTS)]
                   for p in range(PROMPTS_PER_ITERATION)]
        ms_sampling = (time.monotonic() - started) * 1000

        # Scoring: rewards rise with the accumulated learning, plus noise.
        run.phase(i, "scoring")
        started = time.monotonic()
        idle(run, interval / 6)
        level = 0.2 + 0.7 * (1 - math.exp(-progress))
        rewards = [[min(1.0, max(0.0, rng.gauss(level, 0.12))) for _ in range(GROUP_SIZE)]
                   for _ in prompts]
        advantages = group_advantages(rewards, run.hparams["grpo.advantage_std"] == "group")
        ms_scoring = (time.monotonic() - started) * 1000

        # Update: clipped policy loss + β·KL over OPTIMIZER_STEPS steps.
        run.phase(i, "update")
        started = time.monotonic()
        for _ in range(OPTIMIZER_STEPS):
            step += 1
            idle(run, interval / (2 * OPTIMIZER_STEPS))
            kl = lr * 20 * (1 + rng.random())
            clipfrac = min(1.0, lr * 300 * rng.random())
            policy_loss = -0.05 * rng.random()
            run.step_metrics(i, step, {
                "policy_loss": policy_loss, "kl": kl, "loss": policy_loss + beta * kl,
                "approx_kl": kl * 0.5, "clipfrac": clipfrac, "clipfrac_high": clipfrac / 2,
                "clipfrac_low": clipfrac / 2, "ratio_mean": 1.0, "ratio_min": 1 - clipfrac / 10,
                "ratio_max": 1 + clipfrac / 10, "grad_norm": 0.01 + rng.random() * 0.1, "lr": lr})
        progress += lr / 3e-4 * 0.05 / (1 + 10 * beta)
        ms_update = (time.monotonic() - started) * 1000

        flat = [r for group in rewards for r in group]
        mean = sum(flat) / len(flat)
        group_stds = [math.sqrt(sum((r - sum(g) / len(g)) ** 2 for r in g) / len(g)) for g in rewards]
        run.iteration_metrics(i, {
            "reward/alignment/mean": mean,
            "reward/alignment/std": math.sqrt(sum((r - mean) ** 2 for r in flat) / len(flat)),
            "reward/total/mean": mean, "reward_std_mean": sum(group_stds) / len(group_stds),
            "zero_std_ratio": sum(1 for s in group_stds if s == 0) / len(group_stds),
            "lr": lr, "ms_sampling": ms_sampling, "ms_scoring": ms_scoring, "ms_update": ms_update,
            "trained_samples": len(flat), "skipped_update": 0})
        run.histogram(i, "advantage", [a for group in advantages for a in group])
        if i % SAMPLES_EVERY == 0:
            prompt, colour, background = prompts[0]
            images = [fake_image(r, colour, background, rng) for r in rewards[0]]
            references = [fake_image(1.0, colour, background, rng) for _ in range(2)]
            run.samples(i, prompt, images, rewards[0], advantages[0], references)

        if run.checkpoint_requested:
            run.checkpoint_requested = False
            save_checkpoint(run, checkpoints, i + 1, progress, "request")
        # The dashboard that asked for a snapshot takes it; a trainer has nothing to do.
        run.snapshot_requested = False

    run.phase(iterations, "evaluation")
    run.evaluation(iterations, {"alignment": 0.2 + 0.7 * (1 - math.exp(-progress)),
                                "diversity": 0.5 * math.exp(-progress / 4)})
    return iterations


def main():
    """Parses the arguments and runs the fake loop to the end or to a stop."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", required=True, help="events.jsonl to write")
    parser.add_argument("--control", help="control socket to create (none if omitted)")
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds per iteration")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    checkpoints = os.path.join(os.path.dirname(os.path.abspath(args.events)), "checkpoints")
    with ge.Run(args.events, control=args.control, algorithm="flow-grpo",
                config={"seed": args.seed, "iterations": args.iterations,
                        "grpo": {"group_size": GROUP_SIZE, "prompts_per_iteration": PROMPTS_PER_ITERATION,
                                 "optimizer_steps_per_iteration": OPTIMIZER_STEPS}},
                hyperparameters=hyperparameters(), total_iterations=args.iterations,
                group_size=GROUP_SIZE, prompts_per_iteration=PROMPTS_PER_ITERATION,
                rewards=["alignment"],
                on_log=lambda level, message: print(f"demo: {message}", file=sys.stderr)) as run:
        done = train(run, args.iterations, args.interval, random.Random(args.seed), checkpoints)
        run.close("stopped" if run.stop_requested else "completed", iteration=done)


if __name__ == "__main__":
    main()
