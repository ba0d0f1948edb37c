//! Replenishment policies. Each module documents its rule exactly and tests
//! it on a hand-worked case.

pub mod fallback;
pub mod forecast_order_up_to;
pub mod min_max;
pub mod order_up_to;
pub mod reorder_quantity;

pub use fallback::Fallback;
pub use forecast_order_up_to::ForecastOrderUpTo;
pub use min_max::MinMax;
pub use order_up_to::OrderUpTo;
pub use reorder_quantity::{Batching, ReorderQuantity};
