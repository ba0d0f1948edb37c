//! Allocation rules: who gets scarce stock.
//!
//! Every rule grants each claim in full when stock covers them all, and
//! never withholds stock while a claim is open. When stock is short:
//!
//! **FCFS.** Claims are served whole in the order they arose (`since`, then
//! their position in the list, which the engine fills in arrival order);
//! the first claim that cannot be served whole gets what is left, and later
//! claims get nothing. Claims that share a minute — each class's
//! daily-batch demand at the day start, the orders of the nodes a DC feeds
//! at the same day end — are listed in an arrival order the engine draws
//! for them (a random key per claimant, node, SKU and minute from the run's
//! seed: `echelon_sim::engine`'s `ArrivalOrder`), so identical classes or
//! identical warehouses are first equally often and list order in the
//! scenario does not matter beyond noise. Every rule's tie-break by list
//! position below follows that arrival order.
//!
//! **Strict priority.** As FCFS, in order of tier (1 first), then `since`,
//! then position: a lower tier gets nothing until every higher tier is
//! served whole.
//!
//! **Fair share.** Claim `i` of `u_i` units gets `⌊A·u_i / U⌋` of the `A`
//! available (`U = Σ u_i`), and the units left by rounding go one each to
//! the claims with the largest remainders `A·u_i mod U` (ties: the older
//! claim, then list order). Everyone is short in proportion to what they
//! are owed.
//!
//! **Margin-weighted.** Shares in proportion to the margin at stake,
//! `w_i = u_i · margin_i`, filled like water: each claim gets
//! `A'·w_i / W'` of what is left, a claim whose share would exceed its
//! units gets exactly its units and the rest is shared again among the
//! others, until no share exceeds its claim. Fractions are floored and the
//! units left go one each to the largest fractional parts (ties: older,
//! then list order). Claims without margin (`w = 0`) share only what the
//! others leave, in proportion to their units; when no claim has a margin
//! (a source node's orders) the rule is fair share.
//!
//! **SLA risk.** As FCFS, in descending order of the risk score — for a
//! claim not yet due, `penalty ÷ (1 + days to its due date)`; for one due
//! or overdue, `penalty × (1 + days overdue)` — so the claims nearest to or
//! furthest past their SLA, weighted by their late penalty, come first
//! (ties: older, then list order).

use echelon_sim::strategy::{Allocation, Claim};
use echelon_sim::time::{MINUTES_PER_DAY, Minute};

/// Serves claims whole in `order`; the first that cannot be served whole
/// gets what is left.
fn serve_in_order(order: impl Iterator<Item = usize>, available: i64, claims: &[Claim], grants: &mut [i64]) {
    let mut left = available.max(0);
    for i in order {
        grants[i] = claims[i].units.max(0).min(left);
        left -= grants[i];
    }
}

/// The claims' indices by descending `score` (ties: older, then list order).
fn by_score_then_age(claims: &[Claim], score: impl Fn(usize) -> f64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..claims.len()).collect();
    order.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(claims[a].since.cmp(&claims[b].since)).then(a.cmp(&b)));
    order
}

/// The claims' indices sorted by `key` (a stable sort: list order breaks ties).
fn sorted_by<K: Ord>(claims: &[Claim], key: impl Fn(&Claim) -> K) -> Vec<usize> {
    let mut order: Vec<usize> = (0..claims.len()).collect();
    order.sort_by_key(|&i| key(&claims[i]));
    order
}

/// First come, first served.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fcfs;

impl Allocation for Fcfs {
    fn allocate(&self, _now: Minute, available: i64, claims: &[Claim], grants: &mut [i64]) {
        // Claims usually arrive in order already: then no sort, no allocation.
        if claims.is_sorted_by_key(|c| c.since) {
            serve_in_order(0..claims.len(), available, claims, grants);
        } else {
            serve_in_order(sorted_by(claims, |c| c.since).into_iter(), available, claims, grants);
        }
    }
}

/// Tier by tier, FCFS within a tier.
#[derive(Debug, Clone, Copy, Default)]
pub struct StrictPriority;

impl Allocation for StrictPriority {
    fn allocate(&self, _now: Minute, available: i64, claims: &[Claim], grants: &mut [i64]) {
        serve_in_order(sorted_by(claims, |c| (c.tier, c.since)).into_iter(), available, claims, grants);
    }
}

/// Proportional to what each claim is owed.
#[derive(Debug, Clone, Copy, Default)]
pub struct FairShare;

impl Allocation for FairShare {
    fn allocate(&self, _now: Minute, available: i64, claims: &[Claim], grants: &mut [i64]) {
        let total: i64 = claims.iter().map(|c| c.units.max(0)).sum();
        let available = available.max(0);
        if available >= total {
            for (g, c) in grants.iter_mut().zip(claims) {
                *g = c.units.max(0);
            }
            return;
        }
        let mut left = available;
        let mut remainders = Vec::with_capacity(claims.len());
        for (i, (g, c)) in grants.iter_mut().zip(claims).enumerate() {
            let (share, remainder) = proportional_share(available, c.units.max(0), total);
            *g = share;
            left -= share;
            remainders.push((std::cmp::Reverse(remainder), c.since, i));
        }
        // The `left` largest remainders (keys are unique: `i` breaks ties).
        let left = left as usize;
        if left > 0 {
            remainders.select_nth_unstable(left - 1);
            for &(_, _, i) in &remainders[..left] {
                grants[i] += 1;
            }
        }
    }
}

/// `⌊a·u / total⌋` and `a·u mod total`, in 64-bit arithmetic unless the
/// product overflows it.
fn proportional_share(a: i64, u: i64, total: i64) -> (i64, i64) {
    match a.checked_mul(u) {
        Some(product) => (product / total, product % total),
        None => {
            let product = i128::from(a) * i128::from(u);
            let total = i128::from(total);
            ((product / total) as i64, (product % total) as i64)
        }
    }
}

/// In proportion to the margin at stake, filled like water.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarginWeighted;

impl Allocation for MarginWeighted {
    fn allocate(&self, now: Minute, available: i64, claims: &[Claim], grants: &mut [i64]) {
        let margins = claims.iter().map(|c| if c.units > 0 { c.margin.max(0.0) } else { 0.0 });
        let weights: Vec<f64> = claims.iter().zip(margins).map(|(c, m)| c.units.max(0) as f64 * m).collect();
        if weights.iter().all(|&w| w == 0.0) {
            return FairShare.allocate(now, available, claims, grants);
        }
        let units: Vec<f64> = claims.iter().map(|c| c.units.max(0) as f64).collect();
        let mut shares = water_fill(available.max(0) as f64, &units, &weights);
        // What the weighted claims leave goes to the unweighted ones.
        let leftover = available.max(0) as f64 - shares.iter().sum::<f64>();
        if leftover > 0.5 {
            let by_units: Vec<f64> =
                units.iter().zip(&weights).map(|(&u, &w)| if w == 0.0 { u } else { 0.0 }).collect();
            let extra = water_fill(leftover, &units, &by_units);
            shares.iter_mut().zip(extra).for_each(|(s, e)| *s += e);
        }
        round_shares(&shares, available.max(0), claims, grants);
    }
}

/// Splits `amount` in proportion to `weights`, no share above its `cap`.
fn water_fill(amount: f64, caps: &[f64], weights: &[f64]) -> Vec<f64> {
    let mut shares = vec![0.0; caps.len()];
    let mut open: Vec<usize> = (0..caps.len()).filter(|&i| weights[i] > 0.0 && caps[i] > 0.0).collect();
    let mut left = amount;
    while !open.is_empty() && left > 0.0 {
        let total: f64 = open.iter().map(|&i| weights[i]).sum();
        let full: Vec<usize> = open.iter().copied().filter(|&i| left * weights[i] / total >= caps[i]).collect();
        if full.is_empty() {
            open.iter().for_each(|&i| shares[i] = left * weights[i] / total);
            break;
        }
        for &i in &full {
            shares[i] = caps[i];
            left -= caps[i];
        }
        open.retain(|i| !full.contains(i));
    }
    shares
}

/// Floors `shares` and gives the units left, one each, to the largest
/// fractional parts (ties: older, then list order) without passing a claim.
fn round_shares(shares: &[f64], available: i64, claims: &[Claim], grants: &mut [i64]) {
    let mut given = 0;
    for (g, (&s, c)) in grants.iter_mut().zip(shares.iter().zip(claims)) {
        *g = (s.floor() as i64).min(c.units.max(0));
        given += *g;
    }
    let total: i64 = claims.iter().map(|c| c.units.max(0)).sum();
    let mut left = available.min(total) - given;
    // At most one unit per claim is missing from its floor.
    for i in by_score_then_age(claims, |i| shares[i] - shares[i].floor()) {
        if left == 0 {
            break;
        }
        if grants[i] < claims[i].units {
            grants[i] += 1;
            left -= 1;
        }
    }
}

/// The claims nearest to or furthest past their SLA, by late penalty, first.
#[derive(Debug, Clone, Copy, Default)]
pub struct SlaRisk;

/// The SLA-risk score of `claim` at `now` (higher is served first).
pub fn sla_risk(claim: &Claim, now: Minute) -> f64 {
    let days = |minutes: Minute| minutes as f64 / MINUTES_PER_DAY as f64;
    if now >= claim.due {
        claim.late_penalty * (1.0 + days(now - claim.due))
    } else {
        claim.late_penalty / (1.0 + days(claim.due - now))
    }
}

impl Allocation for SlaRisk {
    fn allocate(&self, now: Minute, available: i64, claims: &[Claim], grants: &mut [i64]) {
        let order = by_score_then_age(claims, |i| sla_risk(&claims[i], now));
        serve_in_order(order.into_iter(), available, claims, grants);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(units: i64, since: u64) -> Claim {
        Claim { units, since, tier: 1, margin: 0.0, due: since, late_penalty: 0.0 }
    }

    fn allocate(rule: &dyn Allocation, now: Minute, available: i64, claims: &[Claim]) -> Vec<i64> {
        let mut grants = vec![0; claims.len()];
        rule.allocate(now, available, claims, &mut grants);
        grants
    }

    #[test]
    fn fcfs_serves_the_oldest_claim_first() {
        // 10 available; claims of 4 (at 100), 8 (at 50), 3 (at 100).
        // Oldest first: 8 ← 8, then 4 ← 2, then 3 ← 0.
        let claims = [claim(4, 100), claim(8, 50), claim(3, 100)];
        assert_eq!(allocate(&Fcfs, 0, 10, &claims), [2, 8, 0]);
    }

    #[test]
    fn strict_priority_serves_tier_by_tier_then_oldest_first() {
        // 10 available; tier 2 (6 units, oldest), tier 1 (5 at 90), tier 1
        // (4 at 80). Tier 1 oldest first: 4 ← 4, 5 ← 5; tier 2 gets 1.
        let claims = [Claim { tier: 2, ..claim(6, 10) }, claim(5, 90), claim(4, 80)];
        assert_eq!(allocate(&StrictPriority, 0, 10, &claims), [1, 5, 4]);
    }

    #[test]
    fn fair_share_splits_in_proportion_to_what_is_owed() {
        // 10 available; claims 12, 6, 2 (Σ 20): exact shares 6, 3, 1.
        let claims = [claim(12, 0), claim(6, 0), claim(2, 0)];
        assert_eq!(allocate(&FairShare, 0, 10, &claims), [6, 3, 1]);
        // 7 available; claims 5, 3, 2 (Σ 10): 3.5, 2.1, 1.4 → floors 3, 2, 1
        // (6); one unit left goes to the largest remainder (0.5: the first).
        let claims = [claim(5, 0), claim(3, 0), claim(2, 0)];
        assert_eq!(allocate(&FairShare, 0, 7, &claims), [4, 2, 1]);
        // Enough for all: everyone whole.
        assert_eq!(allocate(&FairShare, 0, 50, &claims), [5, 3, 2]);
    }

    #[test]
    fn fair_share_breaks_equal_remainders_by_age_then_position() {
        // 2 available, three claims of 1 (Σ 3): shares 0, remainders all 2;
        // the two oldest win, and between equally old ones the earlier.
        let claims = [claim(1, 30), claim(1, 10), claim(1, 10)];
        assert_eq!(allocate(&FairShare, 0, 2, &claims), [0, 1, 1]);
        let claims = [claim(1, 10), claim(1, 30), claim(1, 10)];
        assert_eq!(allocate(&FairShare, 0, 1, &claims), [1, 0, 0]);
    }

    #[test]
    fn fair_share_of_huge_claims_does_not_overflow() {
        let claims = [claim(i64::MAX / 2, 0), claim(i64::MAX / 2, 0)];
        let grants = allocate(&FairShare, 0, i64::MAX / 4, &claims);
        assert_eq!(grants.iter().sum::<i64>(), i64::MAX / 4);
        assert!((grants[0] - grants[1]).abs() <= 1);
    }

    #[test]
    fn margin_weighted_fills_by_margin_at_stake_capped_at_each_claim() {
        // 12 available. Claims: 10 units × margin 9 (w 90), 10 × 3 (w 30),
        // 4 × 0 (w 0). Shares 12·90/120 = 9 and 3: nobody capped → [9, 3, 0].
        let m = |units, margin| Claim { margin, ..claim(units, 0) };
        let claims = [m(10, 9.0), m(10, 3.0), m(4, 0.0)];
        assert_eq!(allocate(&MarginWeighted, 0, 12, &claims), [9, 3, 0]);
        // 16 available: 12 and 4 — the first capped at 10, the 6 left go to
        // the second alone → [10, 6, 0].
        assert_eq!(allocate(&MarginWeighted, 0, 16, &claims), [10, 6, 0]);
        // 22 available: both margin claims whole, the 2 left to the third.
        assert_eq!(allocate(&MarginWeighted, 0, 22, &claims), [10, 10, 2]);
        // 7 available, weights 5·2 = 10 and 5·1 = 5: 4.67 and 2.33 → floors
        // 4 and 2, the last unit to the larger fraction (0.67) → [5, 2].
        let claims = [m(5, 2.0), m(5, 1.0)];
        assert_eq!(allocate(&MarginWeighted, 0, 7, &claims), [5, 2]);
    }

    #[test]
    fn margin_weighted_without_margins_is_fair_share() {
        let claims = [claim(5, 0), claim(3, 0), claim(2, 0)];
        assert_eq!(allocate(&MarginWeighted, 0, 7, &claims), allocate(&FairShare, 0, 7, &claims));
    }

    #[test]
    fn sla_risk_serves_overdue_and_costly_claims_first() {
        // At day 10 (minute 14,400): A due day 12, penalty 4 → 4/3 = 1.33;
        // B due day 9, penalty 1 → 1·(1 + 1) = 2; C due day 10, penalty 1.5
        // → 1.5. Order B, C, A; 9 available, 4 units each → [1, 4, 4].
        let day = |d: u64| d * MINUTES_PER_DAY;
        let c = |due, late_penalty| Claim { due: day(due), late_penalty, ..claim(4, 0) };
        let claims = [c(12, 4.0), c(9, 1.0), c(10, 1.5)];
        assert!((sla_risk(&claims[0], day(10)) - 4.0 / 3.0).abs() < 1e-12);
        assert_eq!(allocate(&SlaRisk, day(10), 9, &claims), [1, 4, 4]);
    }

    #[test]
    fn every_rule_grants_everything_when_stock_suffices() {
        let claims = [Claim { tier: 3, margin: 1.0, ..claim(4, 9) }, Claim { margin: 2.0, ..claim(5, 0) }];
        let rules: [&dyn Allocation; 5] = [&Fcfs, &StrictPriority, &FairShare, &MarginWeighted, &SlaRisk];
        for rule in rules {
            assert_eq!(allocate(rule, 0, 100, &claims), [4, 5]);
            assert_eq!(allocate(rule, 0, 6, &claims).iter().sum::<i64>(), 6);
        }
    }
}
