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
        let (a, u) = (i128::from(available), i128::from(total));
        let mut left = available;
        for (g, c) in grants.iter_mut().zip(claims) {
            *g = (a * i128::from(c.units.max(0)) / u) as i64;
            left -= *g;
        }
        let mut order: Vec<usize> = (0..claims.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(a * i128::from(claims[i].units.max(0)) % u), claims[i].since, i));
        for &i in order.iter().take(left as usize) {
            grants[i] += 1;
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
    fn fcfs_grants_everything_when_stock_suffices() {
        let claims = [claim(4, 0), claim(5, 0)];
        let mut grants = [0; 2];
        Fcfs.allocate(100, &claims, &mut grants);
        assert_eq!(grants, [4, 5]);
    }
}
