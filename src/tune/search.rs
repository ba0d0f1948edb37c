//! One group's integer search: a compass (pattern) search with expansion,
//! driven one candidate at a time so that every group's next candidate is
//! evaluated in the same simulations.
//!
//! # Rule
//!
//! The walker holds its best point `x` (whole numbers, one per parameter,
//! within bounds) and a step `h`. Directions are `±e_i` for every parameter
//! and, with two or more level parameters, `±(1, …, 1)` over the levels
//! (for (s,S): move both, keeping S − s). It tries the directions in that
//! order at `x + h·d` (skipping points out of bounds, refused by the
//! strategy's structure, or already evaluated). An improvement moves `x`
//! there and retries the same direction with `2h` (expansion: a far optimum
//! is reached in logarithmically many steps). When no direction improves,
//! `h` halves; at `h = 1` with no improvement the search ends: `x` is a
//! local optimum on the integer grid — the sample optimum for a function
//! convex along the directions (base stock's sample cost under common
//! random numbers is convex in S). A budget of evaluations bounds it.
//!
//! Candidates are compared lexicographically by [`Score`]: constraint
//! violation first, then (among infeasible ones) shortfall units, then
//! cost. Hence feasibility is reached first, and a plateau of a ratio
//! constraint (fill rate 0 at every low level) still has a slope.

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// How good a candidate is (lower is better, lexicographically).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Score {
    /// Σ constraint shortfalls (0 when feasible).
    pub violation: f64,
    /// Backordered or lost units per day, a tie-break among infeasible
    /// candidates.
    pub shortfall: f64,
    /// The objective.
    pub cost: f64,
}

impl Score {
    /// Is `self` strictly better than `other`?
    pub fn better_than(&self, other: &Score) -> bool {
        self.order(other) == Ordering::Less
    }

    fn order(&self, other: &Score) -> Ordering {
        let feasible = self.violation <= 0.0;
        let other_feasible = other.violation <= 0.0;
        match (feasible, other_feasible) {
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (true, true) => self.cost.total_cmp(&other.cost),
            (false, false) => self
                .violation
                .total_cmp(&other.violation)
                .then(self.shortfall.total_cmp(&other.shortfall))
                .then(self.cost.total_cmp(&other.cost)),
        }
    }
}

/// One group's search.
#[derive(Debug, Clone)]
pub struct Walker {
    lo: Vec<i64>,
    hi: Vec<i64>,
    directions: Vec<Vec<i64>>,
    valid: fn(&[i64]) -> bool,
    /// Best point and its score (None until the start is evaluated).
    pub best: Vec<i64>,
    best_score: Option<Score>,
    step: i64,
    /// Next direction to try at the current step.
    next: usize,
    /// Direction that last improved (retried at twice the step).
    expanding: Option<usize>,
    seen: BTreeMap<Vec<i64>, Score>,
    pending: Option<(Vec<i64>, Option<usize>)>,
    budget: u32,
    /// Evaluations spent.
    pub evaluations: u32,
    done: bool,
}

impl Walker {
    /// A search from `start` (clamped into `lo..=hi`) with `level_dims`
    /// level parameters first; `valid` refuses structurally invalid points.
    pub fn new(
        start: Vec<i64>,
        lo: Vec<i64>,
        hi: Vec<i64>,
        level_dims: usize,
        valid: fn(&[i64]) -> bool,
        budget: u32,
    ) -> Self {
        let n = start.len();
        let best: Vec<i64> = start.iter().zip(lo.iter().zip(&hi)).map(|(&x, (&l, &h))| x.clamp(l, h)).collect();
        let mut directions = Vec::new();
        for i in 0..n {
            for sign in [-1, 1] {
                let mut d = vec![0; n];
                d[i] = sign;
                directions.push(d);
            }
        }
        if level_dims >= 2 {
            for sign in [-1, 1] {
                let mut d = vec![0; n];
                d[..level_dims].iter_mut().for_each(|v| *v = sign);
                directions.push(d);
            }
        }
        // Start with a step of about a quarter of the start's magnitude.
        let scale = best.iter().zip(lo.iter().zip(&hi)).map(|(&x, (&l, &h))| x.abs().min(h - l)).max().unwrap_or(0);
        let step = (scale / 4).max(1);
        Self {
            lo,
            hi,
            directions,
            valid,
            best,
            best_score: None,
            step,
            next: 0,
            expanding: None,
            seen: BTreeMap::new(),
            pending: None,
            budget,
            evaluations: 0,
            done: false,
        }
    }

    /// The same search starting with step `step` (≥ 1) instead of a
    /// quarter of the start's magnitude: for a start already near the
    /// optimum (a later pass over a network's echelons), where the coarse
    /// steps would only be refused one by one. Expansion still reaches a
    /// far optimum in logarithmically many steps.
    pub fn with_step(mut self, step: i64) -> Self {
        self.step = step.max(1);
        self
    }

    /// Has the search ended?
    pub fn done(&self) -> bool {
        self.done
    }

    /// The best score found.
    pub fn best_score(&self) -> Option<Score> {
        self.best_score
    }

    /// The point to evaluate next, or `None` when the search has ended
    /// (then evaluate [`Walker::best`], whose score is known).
    pub fn propose(&mut self) -> Option<Vec<i64>> {
        if self.done {
            return None;
        }
        if self.best_score.is_none() {
            self.pending = Some((self.best.clone(), None));
            return Some(self.best.clone());
        }
        if self.evaluations >= self.budget {
            self.done = true;
            return None;
        }
        loop {
            let (direction, step) = match self.expanding {
                Some(d) => (d, self.step * 2),
                None => {
                    if self.next >= self.directions.len() {
                        if self.step == 1 {
                            self.done = true;
                            return None;
                        }
                        self.step /= 2;
                        self.next = 0;
                        continue;
                    }
                    self.next += 1;
                    (self.next - 1, self.step)
                }
            };
            let candidate: Vec<i64> =
                self.best.iter().zip(&self.directions[direction]).map(|(&x, &d)| x + step * d).collect();
            let in_bounds = candidate.iter().zip(self.lo.iter().zip(&self.hi)).all(|(&x, (&l, &h))| l <= x && x <= h);
            if !in_bounds || !(self.valid)(&candidate) || self.seen.contains_key(&candidate) {
                if self.expanding.take().is_some() {
                    self.next = 0;
                }
                continue;
            }
            if self.expanding.is_some() {
                self.step *= 2;
            }
            self.pending = Some((candidate.clone(), Some(direction)));
            return Some(candidate);
        }
    }

    /// The score of the last proposed point.
    pub fn report(&mut self, score: Score) {
        let Some((point, direction)) = self.pending.take() else { return };
        self.evaluations += 1;
        self.seen.insert(point.clone(), score);
        match self.best_score {
            None => self.best_score = Some(score),
            Some(best) if score.better_than(&best) => {
                self.best = point;
                self.best_score = Some(score);
                self.expanding = direction;
                self.next = 0;
            }
            Some(_) => {
                // An expansion that failed falls back to the step that worked.
                if self.expanding.take().is_some() {
                    self.step = (self.step / 2).max(1);
                    self.next = 0;
                }
            }
        }
    }
}

/// The searched groups of one strategy, and the walk's rules.
#[derive(Debug, Clone)]
pub struct Groups<'a> {
    /// Per group, its members (indices into the values).
    pub members: &'a [Vec<usize>],
    /// Per group, its echelon height (0 first).
    pub height: &'a [u32],
    /// Lowest index per parameter.
    pub lo: Vec<i64>,
    /// Highest index per parameter.
    pub hi: Vec<i64>,
    /// How many parameters (first) are levels.
    pub level_dims: usize,
    /// The structural check of a candidate.
    pub valid: fn(&[i64]) -> bool,
    /// Evaluations per group and walk.
    pub budget: u32,
}

/// Where [`walk_groups`] left the groups.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Walked {
    /// Values per member.
    pub values: Vec<Vec<i64>>,
    /// Evaluations spent per group.
    pub evaluations: Vec<u32>,
    /// Per group: did a walk of it ever reach a feasible point?
    pub found_feasible: Vec<bool>,
    /// Evaluation rounds run.
    pub rounds: u32,
}

/// Walks every group from `start`: echelons in turn, lowest height first,
/// the groups of one height simultaneously (one `evaluate` per round gives
/// every group's score at the joint values); up to `passes` passes while a
/// pass changes something (one pass without echelons above 0; later passes
/// start at step 1); then up to `repairs` repair rounds: groups short of a
/// constraint at the joint final values walk again from there, the others
/// fixed, lowest height first.
pub fn walk_groups(
    groups: &Groups,
    start: Vec<Vec<i64>>,
    passes: usize,
    repairs: usize,
    evaluate: impl Fn(&[Vec<i64>]) -> Result<Vec<Score>, String>,
) -> Result<Walked, String> {
    let count = groups.members.len();
    let mut values = start;
    let mut evaluations = vec![0u32; count];
    let mut found_feasible = vec![false; count];
    let mut rounds = 0;
    let max_height = groups.height.iter().copied().max().unwrap_or(0);
    // Walks the groups `active` together from `values` (step 1 from the
    // start when `step_one`), leaving each at its best point.
    let mut walk = |active: &[usize], step_one: bool, values: &mut Vec<Vec<i64>>| -> Result<(), String> {
        let mut walkers: Vec<Walker> = active
            .iter()
            .map(|&g| {
                let walker = Walker::new(
                    values[groups.members[g][0]].clone(),
                    groups.lo.clone(),
                    groups.hi.clone(),
                    groups.level_dims,
                    groups.valid,
                    groups.budget,
                );
                // A later pass starts at the last optimum: step 1, expanding
                // if the other echelons moved it far.
                if step_one { walker.with_step(1) } else { walker }
            })
            .collect();
        loop {
            let mut proposed = vec![false; walkers.len()];
            for (w, walker) in walkers.iter_mut().enumerate() {
                let point = match walker.propose() {
                    Some(p) => {
                        proposed[w] = true;
                        p
                    }
                    None => walker.best.clone(),
                };
                for &i in &groups.members[active[w]] {
                    values[i] = point.clone();
                }
            }
            if !proposed.iter().any(|&p| p) {
                break;
            }
            let scores = evaluate(values)?;
            rounds += 1;
            for (w, walker) in walkers.iter_mut().enumerate() {
                if proposed[w] {
                    walker.report(scores[active[w]]);
                    evaluations[active[w]] += 1;
                }
            }
        }
        for (w, walker) in walkers.iter().enumerate() {
            for &i in &groups.members[active[w]] {
                values[i] = walker.best.clone();
            }
            found_feasible[active[w]] |= walker.best_score().is_some_and(|s| s.violation <= 0.0);
        }
        Ok(())
    };
    let passes = if max_height == 0 { passes.min(1) } else { passes };
    for pass in 0..passes {
        let before = values.clone();
        for h in 0..=max_height {
            let active: Vec<usize> = (0..count).filter(|&g| groups.height[g] == h).collect();
            walk(&active, pass > 0, &mut values)?;
        }
        if values == before {
            break;
        }
    }
    // Repair: groups walk simultaneously, so a group's accepted point was
    // measured beside the others' candidates, not their final points; where
    // they interact (the same SKU's locations sharing a DC's stock, a
    // supplier's capacity) a group feasible during its walk can fall short
    // at the joint final point. Those groups walk again from there, the
    // others fixed, downstream first.
    for _ in 0..repairs {
        let short: Vec<bool> = evaluate(&values)?.iter().map(|s| s.violation > 0.0).collect();
        if !short.contains(&true) {
            break;
        }
        for h in 0..=max_height {
            let active: Vec<usize> = (0..count).filter(|&g| short[g] && groups.height[g] == h).collect();
            if !active.is_empty() {
                walk(&active, true, &mut values)?;
            }
        }
    }
    Ok(Walked { values, evaluations, found_feasible, rounds })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(walker: &mut Walker, f: impl Fn(&[i64]) -> Score) -> Vec<i64> {
        while let Some(x) = walker.propose() {
            walker.report(f(&x));
        }
        walker.best.clone()
    }

    fn cost(c: f64) -> Score {
        Score { violation: 0.0, shortfall: 0.0, cost: c }
    }

    #[test]
    fn a_convex_function_is_minimised_exactly_from_far_away() {
        let mut w = Walker::new(vec![3], vec![0], vec![10_000], 1, |_| true, 100);
        assert_eq!(run(&mut w, |x| cost(((x[0] - 737) as f64).powi(2))), vec![737]);
        assert!(w.evaluations < 60, "{}", w.evaluations);
    }

    #[test]
    fn a_search_starting_at_step_one_still_reaches_a_far_optimum_by_expansion() {
        let f = |x: &[i64]| cost(((x[0] - 737) as f64).powi(2));
        let mut w = Walker::new(vec![3], vec![0], vec![10_000], 1, |_| true, 100).with_step(1);
        assert_eq!(run(&mut w, f), vec![737]);
        assert!(w.evaluations < 60, "{}", w.evaluations);
        // Near the optimum it ends after the ±1 check (start, −1, +1).
        let mut near = Walker::new(vec![737], vec![0], vec![10_000], 1, |_| true, 100).with_step(1);
        assert_eq!(run(&mut near, f), vec![737]);
        assert_eq!(near.evaluations, 3);
        let mut coarse = Walker::new(vec![737], vec![0], vec![10_000], 1, |_| true, 100);
        run(&mut coarse, f);
        assert!(coarse.evaluations > 3 * 5, "the default start step tries coarse steps first: {}", coarse.evaluations);
    }

    #[test]
    fn the_smallest_feasible_level_wins_over_cheaper_infeasible_ones() {
        // Service rises with x (plateau at 0 below 40), feasible from 57; cost rises with x.
        let mut w = Walker::new(vec![5], vec![0], vec![500], 1, |_| true, 200);
        let f = |x: &[i64]| {
            let service = ((x[0] - 40).max(0) as f64 / 60.0).min(1.0);
            Score { violation: (0.95 - service).max(0.0), shortfall: (100 - x[0]).max(0) as f64, cost: x[0] as f64 }
        };
        assert_eq!(run(&mut w, f), vec![97]);
    }

    #[test]
    fn two_dimensions_with_structure_and_a_budget() {
        let valid = |x: &[i64]| x[0] < x[1];
        let mut w = Walker::new(vec![0, 1], vec![-10, 1], vec![100, 200], 2, valid, 500);
        let f = |x: &[i64]| cost(((x[0] - 20) as f64).powi(2) + ((x[1] - x[0] - 35) as f64).powi(2));
        assert_eq!(run(&mut w, f), vec![20, 55]);
        let mut tight = Walker::new(vec![0, 1], vec![-10, 1], vec![100, 200], 2, valid, 3);
        run(&mut tight, f);
        assert_eq!(tight.evaluations, 3);
    }

    /// Two groups sharing a resource, one member each: group 0 costs x0 and
    /// is feasible only when x0 ≥ x1 (the more group 1 holds, the more
    /// group 0 needs — a DC's stock shared by two stores); group 1 costs
    /// (x1 − 2)², unconstrained. Both start at 8 with step 2 and walk
    /// together, proposing the same points: (8, 8), (6, 6), (2, 2) by
    /// expansion, then (0, 0). Group 0 accepts 0 (feasible beside group
    /// 1's candidate 0, cost 0); group 1 keeps 2 (cost 4 at 0). At the joint
    /// final point (0, 2) group 0 is short by 2. The repair walks group 0
    /// alone with group 1 fixed at 2 and ends at the cheapest feasible
    /// x0 = 2; group 1 is not walked again.
    #[test]
    fn the_repair_walks_again_only_groups_short_at_the_joint_final_point() {
        let members = [vec![0], vec![1]];
        let height = [0, 0];
        let groups = Groups {
            members: &members,
            height: &height,
            lo: vec![0],
            hi: vec![20],
            level_dims: 1,
            valid: |_| true,
            budget: 100,
        };
        let evaluate = |v: &[Vec<i64>]| -> Result<Vec<Score>, String> {
            let (x0, x1) = (v[0][0], v[1][0]);
            Ok(vec![
                Score { violation: (x1 - x0).max(0) as f64, shortfall: (x1 - x0).max(0) as f64, cost: x0 as f64 },
                cost(((x1 - 2) * (x1 - 2)) as f64),
            ])
        };
        let start = vec![vec![8], vec![8]];
        let unrepaired = walk_groups(&groups, start.clone(), 3, 0, evaluate).unwrap();
        assert_eq!(unrepaired.values, [vec![0], vec![2]]);
        assert_eq!(unrepaired.found_feasible, [true, true], "group 0's walk met its constraint");
        assert!(evaluate(&unrepaired.values).unwrap()[0].violation > 0.0, "short at the joint point");
        let repaired = walk_groups(&groups, start, 3, 2, evaluate).unwrap();
        assert_eq!(repaired.values, [vec![2], vec![2]]);
        assert_eq!(evaluate(&repaired.values).unwrap()[0].violation, 0.0);
        assert_eq!(repaired.evaluations[1], unrepaired.evaluations[1], "group 1 is not walked again");
        assert!(repaired.evaluations[0] > unrepaired.evaluations[0]);
    }
}
