"""A tiny reinforcement-learning loop on echelon.gym: no RL library needed.

The agent controls both warehouses of scenarios/quickstart.ron day by day
(one step = one simulated day; the action is an order-up-to level per
SKU-location). Two agents play the same episodes (seed s, replication r:
the same demand as `echelon run --seed s`): a random one, and a heuristic
that learns, by a crude search over episodes, how many days of recent
demand to keep as a reorder point (a one-parameter policy improved by
trial: the shape of RL, without the neural network).

    python examples/python/rl_loop.py [--episodes 4]

Needs: pip install ./python gymnasium
"""

import argparse
import pathlib

import numpy as np

from echelon.gym import InventoryEnv

ROOT = pathlib.Path(__file__).resolve().parents[2]


def play(env, agent, seed, replication):
    """One episode; returns its total reward (− total cost)."""
    obs, info = env.reset(seed=seed, options={"replication": replication})
    total, done = 0.0, False
    while not done:
        obs, reward, terminated, truncated, info = env.step(agent(obs))
        total += reward
        done = terminated or truncated
    return total


def random_agent(env, rng):
    return lambda obs: rng.uniform(0, env.action_space.high).astype(np.float32)


def cover_agent(env, days):
    """Reorder when the position falls below `days` of the last week's mean
    demand, up to `days` + 7 days of it (weekly-sized orders: each order
    line costs, so ordering every day is dear)."""
    high = env.action_space.high

    def act(obs):
        mean = obs["demand"].mean(axis=1)
        level = np.minimum(np.ceil((days + 7.0) * mean), high)
        # An order-up-to level of 0 orders nothing.
        return np.where(obs["position"] <= days * mean, level, 0.0).astype(np.float32)

    return act


def train(episodes=4, seed=42):
    """Returns the random agent's mean reward, the learnt number of days of
    cover, and its mean reward, over `episodes` evaluation episodes."""
    env = InventoryEnv(ROOT / "scenarios" / "quickstart.ron", control=["wh-north", "wh-south"])
    rng = np.random.default_rng(0)
    random_reward = np.mean([play(env, random_agent(env, rng), seed, r) for r in range(episodes)])
    # Search: try a few days-of-cover values on training replications
    # (episodes 100+), keep the best, then evaluate it on the same
    # replications as the random agent.
    candidates = [4.0, 7.0, 10.0, 14.0, 20.0]
    scores = {d: np.mean([play(env, cover_agent(env, d), seed, 100 + r) for r in range(2)]) for d in candidates}
    best = max(scores, key=scores.get)
    learnt_reward = np.mean([play(env, cover_agent(env, best), seed, r) for r in range(episodes)])
    env.close()
    return random_reward, best, learnt_reward, scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=4)
    args = parser.parse_args()
    random_reward, best, learnt_reward, scores = train(args.episodes)
    for days, score in scores.items():
        print(f"training: reorder at {days:5.1f} days -> mean episode reward {score:12.1f}")
    print(f"random agent:            mean episode reward {random_reward:12.1f}")
    print(f"learnt ({best:.0f} days):        mean episode reward {learnt_reward:12.1f}")


if __name__ == "__main__":
    main()
