//! A fractional constant demand keeps its mean exactly: 2.5 a day is 2, 3,
//! 2, 3, … (it used to be rounded to 3 every day, +20%).

mod common;

#[test]
fn constant_demand_of_two_and_a_half_averages_exactly_two_and_a_half() {
    let text = common::single_location(
        "Constant(quantity: 2.5)",
        "Constant(days: 1.0)",
        "Backorder",
        "(name: \"p\", replenishment: BaseStock(order_up_to: Units(12)))",
        "(horizon_days: 1000, warmup_days: 100, replications: 2, seed: 1)",
    );
    let outcome = common::run(&common::scenario_from_text("constant.ron", &text), 2);
    common::assert_conservation(&outcome);
    assert_eq!(common::mean_metric(&outcome, 0, "demand_mean"), 2.5);
}
