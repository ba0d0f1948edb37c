//! Allocation rules: who gets scarce stock.
//!
//! **FCFS.** Claims are served whole in the order they arose (`since`, then
//! their position in the list, which the engine fills in arrival order);
//! the first claim that cannot be served whole gets what is left, and later
//! claims get nothing.

use echelon_sim::strategy::{Allocation, Claim};

/// First come, first served.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fcfs;

impl Allocation for Fcfs {
    fn allocate(&self, available: i64, claims: &[Claim], grants: &mut [i64]) {
        let mut order: Vec<usize> = (0..claims.len()).collect();
        order.sort_by_key(|&i| (claims[i].since, i));
        let mut left = available.max(0);
        for i in order {
            grants[i] = claims[i].units.min(left);
            left -= grants[i];
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
    fn fcfs_grants_everything_when_stock_suffices() {
        let claims = [claim(4, 0), claim(5, 0)];
        let mut grants = [0; 2];
        Fcfs.allocate(100, &claims, &mut grants);
        assert_eq!(grants, [4, 5]);
    }
}
