//! Allocation rules: who gets scarce stock.
//!
//! **FCFS.** Claims are served whole in the order they arose (`since`, then
//! their position in the list, which the engine fills in arrival order);
//! the first claim that cannot be served whole gets what is left, and later
//! claims get nothing.
//!
//! **Fair share.** When stock covers every claim, each gets all it asks.
//! Otherwise claim `i` of `u_i` units gets `⌊A·u_i / U⌋` of the `A`
//! available (`U = Σ u_i`), and the units left by rounding go one each to
//! the claims with the largest remainders `A·u_i mod U` (ties: the older
//! claim, then list order). Everyone is short in proportion to what they
//! are owed.

use echelon_sim::strategy::{Allocation, Claim};

/// First come, first served.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fcfs;

impl Allocation for Fcfs {
    fn allocate(&self, available: i64, claims: &[Claim], grants: &mut [i64]) {
        let mut left = available.max(0);
        let grant = |i: usize| {
            grants[i] = claims[i].units.min(left);
            left -= grants[i];
        };
        // Claims usually arrive in order already: then no sort, no allocation.
        if claims.is_sorted_by_key(|c| c.since) {
            (0..claims.len()).for_each(grant);
        } else {
            let mut order: Vec<usize> = (0..claims.len()).collect();
            order.sort_by_key(|&i| (claims[i].since, i));
            order.into_iter().for_each(grant);
        }
    }
}

/// Proportional to what each claim is owed.
#[derive(Debug, Clone, Copy, Default)]
pub struct FairShare;

impl Allocation for FairShare {
    fn allocate(&self, available: i64, claims: &[Claim], grants: &mut [i64]) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(units: i64, since: u64) -> Claim {
        Claim { units, since, tier: 1 }
    }

    #[test]
    fn fcfs_serves_the_oldest_claim_first() {
        // 10 available; claims of 4 (at 100), 8 (at 50), 3 (at 100).
        // Oldest first: 8 ← 8, then 4 ← 2, then 3 ← 0.
        let claims = [claim(4, 100), claim(8, 50), claim(3, 100)];
        let mut grants = [0; 3];
        Fcfs.allocate(10, &claims, &mut grants);
        assert_eq!(grants, [2, 8, 0]);
    }

    #[test]
    fn fair_share_splits_in_proportion_to_what_is_owed() {
        // 10 available; claims 12, 6, 2 (Σ 20): exact shares 6, 3, 1.
        let claims = [claim(12, 0), claim(6, 0), claim(2, 0)];
        let mut grants = [0; 3];
        FairShare.allocate(10, &claims, &mut grants);
        assert_eq!(grants, [6, 3, 1]);
        // 7 available; claims 5, 3, 2 (Σ 10): 3.5, 2.1, 1.4 → floors 3, 2, 1
        // (6); one unit left goes to the largest remainder (0.5: the first).
        let claims = [claim(5, 0), claim(3, 0), claim(2, 0)];
        FairShare.allocate(7, &claims, &mut grants);
        assert_eq!(grants, [4, 2, 1]);
        // Enough for all: everyone whole.
        FairShare.allocate(50, &claims, &mut grants);
        assert_eq!(grants, [5, 3, 2]);
    }

    #[test]
    fn fair_share_breaks_equal_remainders_by_age_then_position() {
        // 2 available, three claims of 1 (Σ 3): shares 0, remainders all 2;
        // the two oldest win, and between equally old ones the earlier.
        let claims = [claim(1, 30), claim(1, 10), claim(1, 10)];
        let mut grants = [0; 3];
        FairShare.allocate(2, &claims, &mut grants);
        assert_eq!(grants, [0, 1, 1]);
        let claims = [claim(1, 10), claim(1, 30), claim(1, 10)];
        FairShare.allocate(1, &claims, &mut grants);
        assert_eq!(grants, [1, 0, 0]);
    }

    #[test]
    fn fair_share_of_huge_claims_does_not_overflow() {
        let claims = [claim(i64::MAX / 2, 0), claim(i64::MAX / 2, 0)];
        let mut grants = [0; 2];
        FairShare.allocate(i64::MAX / 4, &claims, &mut grants);
        assert_eq!(grants.iter().sum::<i64>(), i64::MAX / 4);
        assert!((grants[0] - grants[1]).abs() <= 1);
    }

    #[test]
    fn fcfs_grants_everything_when_stock_suffices() {
        let claims = [claim(4, 0), claim(5, 0)];
        let mut grants = [0; 2];
        Fcfs.allocate(100, &claims, &mut grants);
        assert_eq!(grants, [4, 5]);
    }
}
